"""Inquiries' permissions for the admin roles: moderators read requests, proposals and messages (unmasked, to
investigate complaints) and rule on guarantee-language reports; graders see the funnel and the audit.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Moderators": [
        "inquiries.view_inquiryrequest",
        "inquiries.view_bid",
        "inquiries.view_proposal",
        "inquiries.view_message",
        "inquiries.view_inquiryevent",
        "inquiries.view_promisereport",
        "inquiries.change_promisereport",
    ],
    "Graders": [
        "inquiries.view_inquiryrequest",
        "inquiries.view_inquiryevent",
    ],
}

def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); the grants need them now.
    app_config = apps.get_app_config("inquiries")
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
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="inquiries"))


class Migration(migrations.Migration):

    dependencies = [
        ("inquiries", "0002_notifications"),
        ("providers", "0005_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
