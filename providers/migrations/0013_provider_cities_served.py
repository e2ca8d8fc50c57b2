from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0012_provider_accepting_new_clients'),
    ]

    operations = [
        migrations.AddField(
            model_name='provider',
            name='cities_served',
            field=models.JSONField(blank=True, default=list, verbose_name='服务城市'),
        ),
    ]
