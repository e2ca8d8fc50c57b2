"""The admin roles: Graders, Moderators and Data stewards, each with exactly the permissions its work needs.

Permissions are frozen here (as every migration's data is); a later change of a role is a new migration.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    # Grade providers (pin/lift tiers, reinstate, suspend, recompute) and write and activate policy drafts.
    "Graders": [
        "providers.view_provider",
        "providers.view_service",  # the tier gates' required-services picker
        "ratings.grade_provider",
        "ratings.view_scoresnapshot",
        "ratings.view_tieroverride",
        "ratings.view_ratingevent",
        "ratings.add_ratingpolicy",
        "ratings.change_ratingpolicy",
        "ratings.delete_ratingpolicy",
        "ratings.view_ratingpolicy",
        "ratings.activate_ratingpolicy",
        "ratings.add_tiergate",
        "ratings.change_tiergate",
        "ratings.delete_tiergate",
        "ratings.view_tiergate",
    ],
    # Decide reviews (and edit providers' replies), see appeals, post and withdraw manipulation alerts.
    "Moderators": [
        "providers.view_provider",
        "ratings.view_review",
        "ratings.change_review",
        "ratings.view_reviewqueue",
        "ratings.change_reviewqueue",
        "ratings.view_reviewappeal",
        "ratings.add_provideralert",
        "ratings.change_provideralert",
        "ratings.view_provideralert",
    ],
    # Upload, preview and confirm CSV imports; export what they load.
    "Data stewards": [
        "providers.view_provider",
        "providers.view_store",
        "providers.view_engagement",
        "ratings.view_review",
        "ratings.view_storeperformance",
        "ratings.add_importjob",
        "ratings.view_importjob",
        "ratings.import_providers",
        "ratings.import_engagements",
        "ratings.import_reviews",
        "ratings.import_performance",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0004_search_trigram"),
        ("ratings", "0005_admin_workbench"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
