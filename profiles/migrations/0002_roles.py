"""Graders decide profile changes, credentials and cases (change permission) and read their audit.

The view permission on a profile change or a credential is also what opens its evidence (profiles.views).
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Graders": [
        *(f"profiles.{verb}_{model}" for model in ("profilechange", "platformcredential", "case")
          for verb in ("view", "change")),
        "profiles.view_profileevent",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); the grant needs them now.
    app_config = apps.get_app_config("profiles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GRANTS.items():
        group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=name)
        codenames = [perm.split(".")[1] for perm in perms]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="profiles", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="profiles"))


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0001_initial"),
        ("providers", "0005_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
