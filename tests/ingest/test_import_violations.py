"""import_violations: upsert on provider + reference, re-import changes nothing, a bad file writes nothing."""
import io

import pytest
from django.core.management import CommandError, call_command

from conduct.models import ConductEvent, Violation
from providers.models import Provider
from tests.conduct.conftest import today  # noqa: F401 (the pinned local day)
from tests.factories import ProviderFactory, write_csv

pytestmark = pytest.mark.django_db
COLUMNS = ["provider_slug", "type", "occurred_on", "decided_on", "reference", "status"]


def row(**cells):
    base = {"provider_slug": "acme", "type": "store_access", "occurred_on": "2025-05-01",
            "decided_on": "2025-06-01", "reference": "DY-1", "status": "upheld"}
    return {**base, **cells}


def run(tmp_path, rows):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_violations", str(write_csv(tmp_path / "v.csv", rows, columns=COLUMNS)), stdout=out,
                 stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_creates_then_changes_nothing_then_updates(tmp_path, today):  # noqa: F811
    ProviderFactory(slug="acme")
    rows = [row(), row(reference="DY-2", type="over_promise", decided_on="2025-06-02")]
    assert run(tmp_path, rows)[0] == "created 2, updated 0, unchanged 0\n"
    provider = Provider.objects.get(slug="acme")
    assert (provider.sanction, provider.sanction_points) == ("hidden", 36)
    events = ConductEvent.objects.count()
    assert run(tmp_path, rows)[0] == "created 0, updated 0, unchanged 2\n"
    assert ConductEvent.objects.count() == events
    assert run(tmp_path, [row(status="withdrawn"), rows[1]])[0] == "created 0, updated 1, unchanged 1\n"
    provider.refresh_from_db()
    assert (provider.sanction, provider.sanction_points) == ("warning", 12)
    assert list(Violation.objects.order_by("reference").values_list("reference", "status", "points", "source")) == [
        ("DY-1", "withdrawn", 24, "import"), ("DY-2", "upheld", 12, "import")]
    assert ConductEvent.objects.filter(kind="violation_withdrawn").count() == 1


def test_a_bad_file_fails_whole_with_row_and_column_errors(tmp_path, today):  # noqa: F811
    ProviderFactory(slug="acme")
    rows = [
        row(),
        row(reference="X2", provider_slug="nobody"),
        row(reference="X3", type="spam"),
        row(reference="X4", occurred_on="2025-06-05", decided_on="2025-06-04"),
        row(reference="X5", occurred_on="2025-06-11", decided_on="2025-06-11"),
        row(reference="X6", status="maybe", decided_on="2025-02-30"),
        row(),
    ]
    with pytest.raises(CommandError, match="发现 8 处错误，未写入任何数据。"):
        run(tmp_path, rows)
    assert Violation.objects.count() == ConductEvent.objects.count() == 0
    assert Provider.objects.get(slug="acme").sanction == "none"


def test_the_errors_name_each_row_and_column(tmp_path, today):  # noqa: F811
    from ingest.csv_import import ImportFailed, read_csv
    from ingest.importers.conduct import violations_load

    ProviderFactory(slug="acme")
    path = write_csv(tmp_path / "v.csv", [row(), row(provider_slug="nobody", reference="X2"),
                                          row(reference="X4", occurred_on="2025-06-05", decided_on="2025-06-04"),
                                          row(reference="X5", occurred_on="2025-06-11", decided_on="2025-06-12"),
                                          row()], columns=COLUMNS)
    with pytest.raises(ImportFailed) as failed:
        violations_load(rows=read_csv(path.read_bytes()))
    assert [(e.row, e.column, e.message) for e in failed.value.errors] == [
        (3, "provider_slug", "服务商 nobody 不存在"),
        (4, "decided_on", "认定日期不能早于发生日期。"),
        (5, "occurred_on", "发生日期不能晚于今天。"),
        (5, "decided_on", "认定日期不能晚于今天。"),
        (6, "provider_slug, reference", "与第2行重复：acme DY-1"),
    ]
