"""Violations through the admin's CSV import: the command's parsing and checks, a dry run that writes nothing, a
confirmed import audited and its sanctions applied, and only for who may both import and record violations."""
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conduct.models import ConductEvent, Violation
from ingest import services as imports
from ingest.models import ImportJob
from partners.after_response import runner
from providers.models import Provider
from tests.conduct.conftest import today  # noqa: F401 (the pinned local day, 2025-06-10)
from tests.factories import GRADERS, MODERATORS, ProviderFactory, staff_user
from tests.ingest.test_admin import csv_bytes, job_page, upload
from tests.ingest.test_import_violations import COLUMNS, row  # the command's file: same rows, same format

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(today):  # noqa: F811
    """acme with nothing on its record; beta with one over_promise (12 points, a warning) recorded earlier."""
    acme, beta = ProviderFactory(slug="acme"), ProviderFactory(slug="beta")
    imports.import_violations(rows=[row(provider_slug="beta", type="over_promise", reference="JD-9")])
    beta.refresh_from_db()
    assert (beta.sanction, beta.sanction_points) == ("warning", 12)
    return acme, beta


def file_rows():
    return [
        row(),  # acme, store_access: 24 points
        row(reference="DY-2", type="unauthorised_case", occurred_on="2025-04-01", decided_on="2025-04-20"),
        row(provider_slug="beta", type="over_promise", reference="JD-9"),  # as recorded: unchanged
    ]


def upload_and_check(client, rows, captured):
    with captured(execute=True):
        upload(client, "violations", csv_bytes(rows, COLUMNS), name="violations.csv")
    runner.run_here()  # the dry run, after the response
    return ImportJob.objects.latest("pk")


def confirm(client, job, captured):
    with captured(execute=True):
        response = client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk]))
    runner.run_here()  # the import, after the response
    job.refresh_from_db()
    return response


def ledger():
    return list(Violation.objects.order_by("provider__slug", "reference").values_list(
        "provider__slug", "reference", "type", "status", "points", "source"))


def test_the_dry_run_counts_and_writes_nothing(steward_client, providers, django_capture_on_commit_callbacks):
    before, events = ledger(), ConductEvent.objects.count()

    job = upload_and_check(steward_client, file_rows(), django_capture_on_commit_callbacks)

    assert (job.kind, job.status, job.rows, job.created, job.updated, job.unchanged, job.errors) == (
        "violations", "ready", 3, 2, 0, 1, [])
    assert ledger() == before
    assert ConductEvent.objects.count() == events
    assert Provider.objects.get(slug="acme").sanction == "none"
    page = job_page(steward_client, job)
    assert page.context["can_confirm"] is True
    assert "试运行通过，尚未写入任何数据。" in page.content.decode()


def test_confirm_writes_the_violations_audited_with_the_policy_points_and_the_sanction(
    steward_client, steward, providers, django_capture_on_commit_callbacks
):
    job = upload_and_check(steward_client, file_rows(), django_capture_on_commit_callbacks)
    events = set(ConductEvent.objects.values_list("pk", flat=True))

    confirm(steward_client, job, django_capture_on_commit_callbacks)

    assert (job.status, job.created, job.updated, job.unchanged, job.confirmed_by) == ("done", 2, 0, 1, steward)
    assert ledger() == [
        ("acme", "DY-1", "store_access", "upheld", 24, "import"),
        ("acme", "DY-2", "unauthorised_case", "upheld", 6, "import"),
        ("beta", "JD-9", "over_promise", "upheld", 12, "import"),
    ]
    acme = Provider.objects.get(slug="acme")
    assert (acme.sanction, acme.sanction_points) == ("hidden", 30)
    assert list(ConductEvent.objects.exclude(pk__in=events).order_by("pk").values_list(
        "provider__slug", "kind", "actor__username", "from_value", "to_value")) == [
        ("acme", "violation_recorded", "steward", "", "store_access:24:upheld"),
        ("acme", "violation_recorded", "steward", "", "unauthorised_case:6:upheld"),
        ("acme", "sanction_changed", "steward", "none", "hidden"),
    ]


def test_the_same_file_again_is_all_unchanged_and_audits_nothing(
    steward_client, providers, django_capture_on_commit_callbacks
):
    confirm(steward_client, upload_and_check(steward_client, file_rows(), django_capture_on_commit_callbacks),
            django_capture_on_commit_callbacks)
    before, events = ledger(), ConductEvent.objects.count()

    again = upload_and_check(steward_client, file_rows(), django_capture_on_commit_callbacks)
    assert (again.status, again.created, again.updated, again.unchanged) == ("ready", 0, 0, 3)
    confirm(steward_client, again, django_capture_on_commit_callbacks)

    assert (again.status, again.created, again.updated, again.unchanged) == ("done", 0, 0, 3)
    assert ledger() == before
    assert ConductEvent.objects.count() == events


def test_an_unknown_type_and_a_future_date_fail_the_file_with_their_rows_and_columns(
    steward_client, providers, django_capture_on_commit_callbacks
):
    before, events = ledger(), ConductEvent.objects.count()
    rows = [
        row(),                                                    # row 2: valid
        row(reference="DY-2", type="spam"),                       # row 3: no such type
        row(reference="DY-3", decided_on="2025-06-11"),           # row 4: decided tomorrow
    ]

    job = upload_and_check(steward_client, rows, django_capture_on_commit_callbacks)

    assert (job.status, job.created, job.updated, job.unchanged) == ("invalid", 0, 0, 0)
    assert [(e["row"], e["column"], e["message"], e["code"]) for e in job.errors] == [
        (3, "type", ("“spam”不是可选值（over_promise|store_access|refund_overdue|complaint_ignored|fake_reviews|"
                     "unauthorised_case|fraud）"), "invalid_choice"),
        (4, "decided_on", "认定日期不能晚于今天。", "invalid_date"),
    ]
    assert job_page(steward_client, job).context["can_confirm"] is False
    assert ledger() == before
    assert ConductEvent.objects.count() == events
    assert Provider.objects.get(slug="acme").sanction == "none"


def test_an_importer_without_the_conduct_permission_may_not_import_violations(
    client, steward, providers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_job_create(kind="violations", upload=SimpleUploadedFile(
            "v.csv", csv_bytes(file_rows(), COLUMNS)), actor=steward)
    runner.run_here()  # the dry run, after the response
    # Every import permission, violations' included, but not conduct's right to record a violation.
    user = staff_user(MODERATORS)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="ingest"))
    client.force_login(user)

    form = client.get(reverse("admin:ingest_importjob_add")).context["form"]
    refused = upload(client, "violations", csv_bytes(file_rows(), COLUMNS))

    assert [kind for kind, _label in form.fields["kind"].choices] == [
        "providers", "engagements", "reviews", "performance"]
    assert refused.context["form"].errors == {"kind": ["选择一个有效的选项。 violations 不在可用的选项中。"]}
    assert job_page(client, job).context["can_confirm"] is False
    assert client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:ingest_importjob_template", args=["violations"])).status_code == 403
    job.refresh_from_db()
    assert job.status == "ready"
    assert ImportJob.objects.count() == 1
    assert not Violation.objects.filter(provider__slug="acme").exists()


def test_graders_record_violations_but_do_not_import_them(client, steward, providers):
    client.force_login(staff_user(GRADERS))  # conduct.add_violation, no import permission

    assert upload(client, "violations", csv_bytes(file_rows(), COLUMNS)).status_code == 403
    assert not ImportJob.objects.exists()


def test_the_stewards_hold_both_permissions_and_get_the_header_template(steward, steward_client):
    response = steward_client.get(reverse("admin:ingest_importjob_template", args=["violations"]))

    assert steward.has_perms(["ingest.import_violations", "conduct.add_violation"])
    assert response.content.decode().lstrip("\ufeff").splitlines() == [
        "provider_slug,type,occurred_on,decided_on,reference,status"]


def test_the_violation_list_exports_a_file_that_reimports_unchanged(
    steward_client, providers, django_capture_on_commit_callbacks
):
    changelist = reverse("admin:conduct_violation_changelist")
    ids = list(Violation.objects.values_list("pk", flat=True))

    response = steward_client.post(changelist, {"action": "export_violations_csv", "_selected_action": ids})
    exported = b"".join(response.streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        upload(steward_client, "violations", exported, name="violations.csv")
    runner.run_here()  # the dry run, after the response

    assert exported.decode().lstrip("\ufeff").splitlines() == [
        "provider_slug,type,occurred_on,decided_on,reference,status",
        "beta,over_promise,2025-05-01,2025-06-01,JD-9,upheld",
    ]
    job = ImportJob.objects.get()
    assert (job.status, job.rows, job.created, job.updated, job.unchanged) == ("ready", 1, 0, 0, 1)
