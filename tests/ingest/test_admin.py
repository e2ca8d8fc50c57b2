"""CSV imports and exports in the admin (ingest.admin), through its real views, as a logged-in data steward."""
import csv
import datetime as dt
import io
from unittest import mock

import pytest
from celery import current_app
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ingest.csv_import import read_csv
from partners.after_response import runner
from providers.models import Provider
from ingest.models import ImportJob
from ratings.models import RatingEvent, Review
from ingest import services as imports
from tests.factories import (
    GRADERS, MODERATORS, STEWARDS, EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory,
    StorePerformanceFactory, provider_row, review_row, staff_user, table_counts, write_csv,
)
from tests.ingest.conftest import INTERRUPTED, importing_job, reimport_rows

pytestmark = pytest.mark.django_db

UPLOAD = "admin:ingest_importjob_add"


def csv_bytes(rows, columns=None) -> bytes:
    columns = list(columns or rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return buffer.getvalue().encode()


def upload(client, kind, data: bytes, name="data.csv"):
    return client.post(reverse(UPLOAD), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def job_page(client, job):
    return client.get(reverse("admin:ingest_importjob_change", args=[job.pk]))


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def existing_acme():
    provider = ProviderFactory(
        slug="acme", name="爱克美电商", name_en="Acme Commerce", city="杭州", founded_year=2015, fee_min="10000",
        fee_max="30000.50", international_brands=3, warehouse_area_m2=1200, website="https://acme.example.cn",
        platforms=["tmall", "jd"], categories=["apparel"], services=["operation", "warehousing"],
    )
    return provider


def test_upload_previews_counts_then_writes_only_when_confirmed(
    steward_client, steward, django_capture_on_commit_callbacks
):
    existing_acme()
    ProviderFactory(slug="gamma", name="旧名称", city="杭州")
    rows = [provider_row(), provider_row(slug="beta", name="贝塔电商"), provider_row(slug="gamma", name="伽马电商")]

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(steward_client, "providers", csv_bytes(rows))
    runner.run_here()  # the dry run or import, after the response

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:ingest_importjob_change", args=[job.pk])
    assert (job.status, job.rows, job.created, job.updated, job.unchanged, job.errors) == ("ready", 3, 1, 1, 1, [])
    assert not Provider.objects.filter(slug="beta").exists()
    assert Provider.objects.get(slug="gamma").name == "旧名称"
    page = job_page(steward_client, job)
    assert page.context["can_confirm"] is True
    assert "试运行通过，尚未写入任何数据。" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        steward_client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk]))
    runner.run_here()  # the dry run or import, after the response

    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.unchanged, job.confirmed_by) == ("done", 1, 1, 1, steward)
    assert Provider.objects.get(slug="beta").name == "贝塔电商"
    assert Provider.objects.get(slug="gamma").name == "伽马电商"


def test_a_bad_file_lists_every_error_and_leaves_the_database_unchanged(
    steward_client, django_capture_on_commit_callbacks
):
    existing_acme()
    rows = [
        provider_row(slug="beta", founded_year="abc"),
        provider_row(slug="gamma", platforms="tmall|xyz", fee_min="500", fee_max="100"),
        provider_row(slug="delta"),
    ]
    before = table_counts()

    with django_capture_on_commit_callbacks(execute=True):
        upload(steward_client, "providers", csv_bytes(rows))
    runner.run_here()  # the dry run or import, after the response

    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [
        (2, "founded_year", "invalid_integer"), (3, "fee_max", "constraint"), (3, "platforms", "unknown_code"),
    ]
    assert job.errors[0]["message"] == "“abc”不是整数"
    assert table_counts() == before

    page = job_page(steward_client, job)
    assert [(e["row"], e["column"]) for e in page.context["errors"]] == [
        (2, "founded_year"), (3, "fee_max"), (3, "platforms")]
    assert "发现 3 处错误，未写入任何数据。" in page.content.decode()
    assert page.context["can_confirm"] is False

    errors_csv = steward_client.get(reverse("admin:ingest_importjob_errors", args=[job.pk])).content.decode()
    assert errors_csv.lstrip("\ufeff").splitlines() == [
        "row,column,message,code", "2,founded_year,“abc”不是整数,invalid_integer",
        "3,fee_max,月服务费上限不能低于下限。,constraint", "3,platforms,platforms 列中的代码 xyz 不存在,unknown_code",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        refused = steward_client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk]), follow=True)
    runner.run_here()  # the dry run or import, after the response

    assert message_texts(refused) == ["只有校验通过、尚未导入的文件可以确认导入。"]
    job.refresh_from_db()
    assert job.status == "invalid"
    assert table_counts() == before


def test_an_upload_over_the_size_limit_is_refused_with_a_clear_message(steward_client, settings):
    settings.ADMIN_IMPORT_MAX_BYTES = 150

    response = upload(steward_client, "providers", b"slug,name\n" + b"x" * 190)

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["文件过大（200\xa0字节），上限为 150\xa0字节；请拆分后分批上传。"]}
    assert not ImportJob.objects.exists()


def test_with_a_broker_the_dry_run_is_a_celery_task_sent_after_commit(
    steward_client, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    with mock.patch("ingest.tasks.import_job_run_task.delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            upload(steward_client, "providers", csv_bytes([provider_row()]))
        job = ImportJob.objects.get()
        assert (job.status, delay.call_count) == ("queued", 0)
        for callback in callbacks:
            callback()

    delay.assert_called_once_with(job.pk)
    assert runner.queued() == []


def test_the_page_shows_progress_while_a_long_import_runs(steward_client, steward):
    job = ImportJob.objects.create(kind="reviews", filename="big.csv", size=10, data=b"x", rows=5000,
                                   status="importing", created_by=steward)
    cache.set(imports.import_progress_key(job.pk), 1000)

    response = job_page(steward_client, job)

    assert (response.context["running"], response.context["rows_read"], response.context["percent"]) == (
        True, 1000, 20)
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "已读取 1000 / 5000 行" in page


def test_the_importer_reports_rows_read_as_it_goes(steward):
    rows = read_csv(csv_bytes([provider_row(slug=f"p{n}") for n in range(2500)]))
    seen = []

    with mock.patch.object(imports.cache, "set", side_effect=lambda key, value, timeout: seen.append(value)):
        list(imports._ProgressRows(rows, job_id=7))

    assert seen == [1000, 2000]


EXPORTS = {
    "providers": "admin:providers_provider_changelist",
    "engagements": "admin:providers_engagement_changelist",
    "reviews": "admin:ratings_review_changelist",
    "performance": "admin:ratings_storeperformance_changelist",
}


@pytest.fixture
def evidence():
    provider = existing_acme()
    other = ProviderFactory(slug="beta", founded_year=None, fee_min=None, fee_max=None)
    store = StoreFactory(external_id="TM001", category=None)
    EngagementFactory(provider=provider, store=store)
    EngagementFactory(provider=other)
    ReviewFactory(provider=provider, store=store, effect=5, communication=None, title="标题, 带逗号", body="第一行\n第二行")
    ReviewFactory(provider=other, status=Review.Status.MALICIOUS)
    StorePerformanceFactory(store=store)
    return provider


@pytest.mark.parametrize("kind", EXPORTS)
def test_every_format_exports_from_its_changelist_and_reimports_unchanged(
    steward_client, evidence, kind, django_capture_on_commit_callbacks
):
    changelist = reverse(EXPORTS[kind])
    model = steward_client.get(changelist).context["cl"].model
    ids = list(model.objects.values_list("pk", flat=True))

    response = steward_client.post(changelist, {"action": f"export_{kind}_csv", "_selected_action": ids})
    exported = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in response.streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        upload(steward_client, kind, exported, name=f"{kind}.csv")
    runner.run_here()  # the dry run or import, after the response

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    job = ImportJob.objects.get()
    assert (job.status, job.rows, job.created, job.updated, job.unchanged) == ("ready", len(ids), 0, 0, len(ids))


def test_the_provider_export_has_the_import_format(steward_client, evidence):
    response = steward_client.post(reverse(EXPORTS["providers"]),
                                   {"action": "export_providers_csv", "_selected_action": [evidence.pk]})

    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    assert text.lstrip("\ufeff").splitlines() == [
        "slug,name,name_en,city,founded_year,platforms,categories,services,fee_min,fee_max,international_brands,"
        "warehouse_area_m2,website",
        "acme,爱克美电商,Acme Commerce,杭州,2015,jd|tmall,apparel,operation|warehousing,10000.00,30000.50,3,1200,"
        "https://acme.example.cn",
    ]


@pytest.mark.parametrize("role", [GRADERS, MODERATORS])
def test_other_roles_can_neither_upload_nor_confirm(client, steward, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_job_create(kind="providers", upload=SimpleUploadedFile("p.csv", csv_bytes(
            [provider_row()])), actor=steward)
    runner.run_here()  # the dry run or import, after the response
    client.force_login(staff_user(role))

    assert upload(client, "providers", csv_bytes([provider_row()])).status_code == 403
    assert client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == "ready"
    assert not Provider.objects.exists()


def test_a_user_may_upload_only_the_formats_they_hold(client):
    user = staff_user(MODERATORS)  # in a role, so the admin lets them in; review imports granted one by one
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["add_importjob", "view_importjob", "import_reviews"]))
    client.force_login(user)

    form = client.get(reverse(UPLOAD)).context["form"]
    refused = upload(client, "providers", csv_bytes([provider_row()]))

    assert form.fields["kind"].choices == [("reviews", "评价")]
    assert refused.context["form"].errors == {"kind": ["选择一个有效的选项。 providers 不在可用的选项中。"]}
    assert not ImportJob.objects.exists()


def test_a_header_template_can_be_downloaded(steward_client):
    response = steward_client.get(reverse("admin:ingest_importjob_template", args=["performance"]))

    assert response.content.decode().lstrip("\ufeff").splitlines() == [
        "platform,store_external_id,period,product_score,logistics_score,service_score,gmv,orders,complaint_rate,"
        "refund_rate,on_time_ship_rate,after_sales_response_hours"
    ]


# Re-imported reviews keep their moderation; an import whose worker died says so


def test_the_admin_preview_and_the_import_show_the_kept_count(
    client, acme, moderated, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(staff_user(STEWARDS, username="steward"))
    data = write_csv(tmp_path / "reviews.csv", reimport_rows()).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:ingest_importjob_add"), {"kind": "reviews", "file": SimpleUploadedFile("reviews.csv", data)})
    runner.run_here()  # the dry run or import, after the response
    job = ImportJob.objects.get()

    assert (job.status, job.created, job.updated, job.unchanged, job.moderation_kept) == ("ready", 1, 1, 1, 2)
    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()
    assert '<div class="wb-figure" id="moderation-kept"><b>2</b><span>将保留审核状态</span></div>' in page
    assert "已有评价保留审核人员的决定：文件中的状态只用于新评价，其余字段照常更新。" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk]))
    runner.run_here()  # the dry run or import, after the response

    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.unchanged, job.moderation_kept) == ("done", 1, 1, 1, 2)
    assert sorted(Review.objects.values_list("created_at", "status")) == [
        (dt.date(2025, 3, 1), "rejected"), (dt.date(2025, 3, 2), "published"), (dt.date(2025, 3, 5), "published")]
    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()
    assert '<div class="wb-figure" id="moderation-kept"><b>2</b><span>已保留审核状态</span></div>' in page


def test_other_formats_show_no_kept_count(client, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(staff_user(STEWARDS, username="steward"))
    job = ImportJob.objects.create(kind="providers", filename="p.csv", size=1, data=b"x", status="ready", rows=1)

    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()

    assert 'id="moderation-kept"' not in page


def test_the_admin_page_says_the_import_was_interrupted(client):
    client.force_login(staff_user(STEWARDS, username="steward"))
    job = importing_job(confirmed_minutes_ago=31)
    imports.import_jobs_fail_stuck(now=timezone.now())

    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()

    assert f'<p class="wb-no" id="interrupted">{INTERRUPTED}</p>' in page
    assert "请修改文件后重新上传" not in page


def test_the_admin_page_says_the_check_was_interrupted(client):
    client.force_login(staff_user(STEWARDS, username="steward"))
    job = importing_job(confirmed_minutes_ago=0, status=ImportJob.Status.CHECKING, confirmed_at=None)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    imports.import_jobs_fail_stuck(now=timezone.now())

    page = client.get(reverse("admin:ingest_importjob_change", args=[job.pk])).content.decode()

    assert '<p class="wb-no" id="interrupted">校验中断：处理该文件的进程已停止，请重新上传。</p>' in page


# Bursts

QUEUE = "admin:ratings_reviewqueue_changelist"


def review_rows_for(provider_slug, stores, day):
    return [review_row(provider_slug=provider_slug, store_external_id=s.external_id, created_at=day.isoformat())
            for s in stores]


def test_a_burst_in_an_admin_import_is_held_for_moderation(client, tmp_path, django_capture_on_commit_callbacks):
    provider = ProviderFactory(slug="acme")
    stores = [EngagementFactory(provider=provider, store=StoreFactory(external_id=f"TM{n:03d}")).store
              for n in range(7)]
    rows = review_rows_for("acme", stores[:6], dt.date(2025, 3, 1)) + review_rows_for(
        "acme", stores[6:], dt.date(2025, 3, 2))
    client.force_login(staff_user(STEWARDS))
    upload = SimpleUploadedFile("reviews.csv", write_csv(tmp_path / "r.csv", rows).read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:ingest_importjob_add"), {"kind": "reviews", "file": upload})
    runner.run_here()  # the dry run or import, after the response
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:ingest_importjob_confirm", args=[job.pk]))
    runner.run_here()  # the dry run or import, after the response

    assert sorted(Review.objects.values_list("created_at", "status", "burst")) == [
        *[(dt.date(2025, 3, 1), "pending", True)] * 6, (dt.date(2025, 3, 2), "published", False)]
    event = RatingEvent.objects.get(kind=RatingEvent.Kind.BURST)
    assert (event.provider, event.to_value, event.period, event.actor) == (provider, "6", dt.date(2025, 3, 1), None)
    assert event.reason == "2025-03-01 当日收到 6 条评价（此前日均 0.00 条），6 条暂缓发布，等待审核"
    client.force_login(staff_user(MODERATORS))
    queue = client.get(reverse(QUEUE)).context["cl"].result_list
    assert sorted(r.created_at for r in queue) == [dt.date(2025, 3, 1)] * 6
