"""Loader of conduct violations (a platform's penalty notices, a steward's list): provider_slug,type,occurred_on,
decided_on,reference,status.

Every row is checked before anything is written (unknown provider or type, a decision before the occurrence, a date
in the future: the whole file fails with row and column errors); conduct.services.violations_upsert then writes,
audits and applies the ledger. Upsert on provider + reference, so loading the same file again changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError

from conduct.models import Violation, ViolationType
from conduct.services import violation_validate, violations_upsert

from ..csv_import import Cells, ImportFailed, ImportResult, RowError, number_rows, parse_rows
from .lookups import parse_provider, provider_ids_by_slug

VIOLATION_COLUMNS = ("provider_slug", "type", "occurred_on", "decided_on", "reference", "status")


def violations_load(
    *, rows: Iterable[Mapping[str, str]], dry_run: bool = False, first_row: int = 2,
    source: str = Violation.Source.IMPORT, actor=None,
) -> ImportResult:
    """Validate every row, then upsert violations by (provider, reference) in one transaction."""
    errors: list[RowError] = []
    numbered = number_rows(rows, columns=VIOLATION_COLUMNS, first_row=first_row, errors=errors)
    providers = provider_ids_by_slug(numbered)
    parsed = parse_rows(numbered, parse=lambda cells: _parse(cells, providers=providers), errors=errors,
                        key_columns=("provider_slug", "reference"))
    if errors:
        raise ImportFailed(errors)
    created, updated, unchanged = violations_upsert(
        rows=[{"provider_id": key[0], "reference": key[1], **values} for _n, key, values in parsed],
        source=source, actor=actor, dry_run=dry_run,
    )
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _parse(cells: Cells, *, providers):
    provider_id = parse_provider(cells, providers=providers)
    values = {
        "type": cells.choice("type", choices=ViolationType),
        "occurred_on": cells.date("occurred_on"),
        "decided_on": cells.date("decided_on"),
        "status": cells.choice("status", choices=Violation.Status),
    }
    reference = cells.text("reference", field=Violation._meta.get_field("reference"))
    if values["type"] and values["occurred_on"] and values["decided_on"]:
        try:
            violation_validate(violation_type=values["type"], occurred_on=values["occurred_on"],
                               decided_on=values["decided_on"])
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                cells.error(column, " ".join(messages), "invalid_date")
    return (provider_id, reference), values
