"""Claims' permissions for the admin roles: data stewards decide store claims, graders provider claims.

Both see the claims' audit; the view permission on a claim is also what opens its evidence (claims.views).
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Data stewards": [
        "claims.view_storeclaim",
        "claims.verify_storeclaim",
        "claims.view_claimevent",
    ],
    "Graders": [
        "claims.view_providerclaim",
        "claims.decide_providerclaim",
        "claims.view_providercreditcode",
        "claims.view_claimevent",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); the grants need them now.
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="claims"))


class Migration(migrations.Migration):

    dependencies = [
        ("claims", "0001_initial"),
        ("providers", "0005_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
