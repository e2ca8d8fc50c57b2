"""A database created before the ingest app existed upgrades with `migrate`, its import jobs and grants intact."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ingest.models import ImportJob

# The last migrations of each app before ImportJob moved from ratings to ingest (the main of 2026-12-01).
BEFORE_THE_MOVE = [("ratings", "0006_importjob_moderation_kept"), ("ingest", None)]
# What providers/0005_roles grants Data stewards on import jobs.
STEWARD_JOB_GRANTS = [
    "add_importjob", "import_engagements", "import_performance", "import_providers", "import_reviews", "view_importjob",
]


def migrate_back_to_before_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    return executor.loader.project_state(BEFORE_THE_MOVE[0]).apps


def steward_grants(app_label: str) -> list[str]:
    return sorted(
        Group.objects.get(name="Data stewards").permissions.filter(content_type__app_label=app_label)
        .filter(content_type__model="importjob").values_list("codename", flat=True)
    )


# serialized_rollback: the database is restored exactly (content types included) for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_from_before_the_ingest_app_keeps_its_import_jobs_and_the_stewards_grants():
    old_apps = migrate_back_to_before_the_move()
    OldImportJob = old_apps.get_model("ratings", "ImportJob")
    job = OldImportJob.objects.create(kind="reviews", filename="reviews.csv", size=5, data=b"a,b\n", rows=1,
                                      status="done", created=1, errors=[])
    old_grants = steward_grants("ratings")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = ImportJob.objects.get(pk=job.pk)
    assert (moved.kind, moved.filename, bytes(moved.data), moved.status, moved.created) == (
        "reviews", "reviews.csv", b"a,b\n", "done", 1)
    assert ImportJob._meta.db_table == "ratings_importjob"
    assert old_grants == STEWARD_JOB_GRANTS
    # ingest/0003 grants them violations as well.
    assert steward_grants("ingest") == sorted([*STEWARD_JOB_GRANTS, "import_violations"])
    assert steward_grants("ratings") == []
    assert Permission.objects.filter(content_type__app_label="ratings", content_type__model="importjob").count() == 0
