"""Violations join the admin's CSV imports: the kind, its permission, and the Data stewards' grant of it.

The stewards already hold conduct.add_violation (conduct/0003_roles), which an upload of violations also needs.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {"Data stewards": ["import_violations"]}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); the grant needs this one now.
    app_config = apps.get_app_config("ingest")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="ingest", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="ingest",
                                                            codename__in=GRANTS[group.name]))


class Migration(migrations.Migration):

    dependencies = [
        ('ingest', '0002_import_job_queued_heartbeat'),
        # The stewards' conduct.add_violation, the other half of what a violations upload needs.
        ('conduct', '0003_roles'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='importjob',
            options={'ordering': ['-created_at', '-id'], 'permissions': [('import_providers', '可导入服务商'), ('import_engagements', '可导入合作'), ('import_reviews', '可导入评价'), ('import_performance', '可导入店铺月度表现'), ('import_violations', '可导入违规记录')], 'verbose_name': '数据导入', 'verbose_name_plural': '数据导入'},
        ),
        migrations.AlterField(
            model_name='importjob',
            name='kind',
            field=models.CharField(choices=[('providers', '服务商'), ('engagements', '合作'), ('reviews', '评价'), ('performance', '店铺月度表现'), ('violations', '违规记录')], max_length=12, verbose_name='数据类型'),
        ),
        migrations.RunPython(grant, revoke),
    ]
