# The refused hire's reopening: its notices to the providers whose proposals come back and to the merchant.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inquiries', '0004_notification_closed'),
    ]

    operations = [
        migrations.AlterField(
            model_name='emailoptout',
            name='kind',
            field=models.CharField(choices=[('new_request', '新需求'), ('proposal', '收到方案'), ('message', '新消息'), ('accepted', '方案被选定'), ('not_selected', '方案未被选中'), ('confirmed', '合作已确认'), ('expired', '需求超时'), ('closed', '需求单已结束'), ('reopened', '重新选择方案'), ('review_invitation', '评价邀请')], max_length=20, verbose_name='类型'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('new_request', '新需求'), ('proposal', '收到方案'), ('message', '新消息'), ('accepted', '方案被选定'), ('not_selected', '方案未被选中'), ('confirmed', '合作已确认'), ('expired', '需求超时'), ('closed', '需求单已结束'), ('reopened', '重新选择方案'), ('review_invitation', '评价邀请')], max_length=20, verbose_name='类型'),
        ),
    ]
