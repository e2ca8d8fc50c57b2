"""ImportJob moves here from ratings: the model only, its table (ratings_importjob) and rows stay as they are.

SeparateDatabaseAndState: the state gains the model here while ratings/0007 drops it from its own state; nothing
runs against the database but the content type's relabelling, which carries the four import permissions (and the
Data stewards' grants of them, made by providers/0005_roles) over to `ingest.import_*`.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    # A fresh database may already hold the target (post_migrate of an earlier run); the source's rows win.
    old = ContentType.objects.filter(app_label=source, model="importjob").first()
    if old is None:
        return
    ContentType.objects.filter(app_label=target, model="importjob").exclude(pk=old.pk).delete()
    old.app_label = target
    old.save(update_fields=["app_label"])


def relabel_content_type(apps, schema_editor):
    _move_content_type(apps, source="ratings", target="ingest")


def unrelabel_content_type(apps, schema_editor):
    _move_content_type(apps, source="ingest", target="ratings")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("ratings", "0006_importjob_moderation_kept"),
        # The roles grant the import permissions under their old app label: they must exist before the relabelling.
        ("providers", "0005_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('providers', '服务商'), ('engagements', '合作'), ('reviews', '评价'), ('performance', '店铺月度表现')], max_length=12, verbose_name='数据类型')),
                ('filename', models.CharField(max_length=255, verbose_name='文件名')),
                ('size', models.PositiveIntegerField(verbose_name='文件大小（字节）')),
                ('data', models.BinaryField(verbose_name='文件内容')),
                ('rows', models.PositiveIntegerField(default=0, verbose_name='数据行数')),
                ('status', models.CharField(choices=[('checking', '校验中'), ('ready', '待确认'), ('invalid', '有错误'), ('importing', '导入中'), ('done', '已导入'), ('failed', '导入失败')], default='checking', max_length=10, verbose_name='状态')),
                ('created', models.PositiveIntegerField(default=0, verbose_name='新增')),
                ('updated', models.PositiveIntegerField(default=0, verbose_name='更新')),
                ('unchanged', models.PositiveIntegerField(default=0, verbose_name='未变')),
                ('moderation_kept', models.PositiveIntegerField(default=0, verbose_name='保留审核状态')),
                ('errors', models.JSONField(blank=True, default=list, verbose_name='错误')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='确认时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '数据导入',
                'verbose_name_plural': '数据导入',
                'db_table': 'ratings_importjob',
                'ordering': ['-created_at', '-id'],
                'permissions': [('import_providers', '可导入服务商'), ('import_engagements', '可导入合作'), ('import_reviews', '可导入评价'), ('import_performance', '可导入店铺月度表现')],
            },
        ),
        ], database_operations=[]),
        migrations.RunPython(relabel_content_type, unrelabel_content_type),
    ]
