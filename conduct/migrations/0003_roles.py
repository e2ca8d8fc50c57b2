"""Conduct's permissions for the admin roles: moderators decide complaints, graders record violations, decide
appeals and reinstate, data stewards import violations. All see the ledger's audit.

The view permission on a complaint is also what opens its evidence (conduct.views.complaint_evidence_view).
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Moderators": ["view_complaint", "decide_complaint", "view_violation", "view_conductevent"],
    "Graders": [
        "view_violation", "add_violation", "change_violation", "view_appeal", "change_appeal", "view_reinstatement",
        "add_reinstatement", "view_complaint", "view_conductevent", "view_conductpolicy",
    ],
    "Data stewards": ["view_violation", "add_violation", "view_conductevent"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); the grants need them now.
    app_config = apps.get_app_config("conduct")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="conduct", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="conduct"))


class Migration(migrations.Migration):
    dependencies = [
        ("conduct", "0002_policy_v1"),
        ("providers", "0005_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
