"""Set-based upserts of parsed rows: existing rows fetched by key in few queries, inserts and updates in batches."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.chunking import MAX_PARAMS_PER_QUERY, chunks

BATCH_SIZE = 500

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), counted in input rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Existing or newly written providers whose data changed; in a dry run, new rows have no id yet.
    affected_provider_ids: set[int] = field(default_factory=set)

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)



def fetch_by_keys(queryset: models.QuerySet, *, fields: Sequence[str], keys: Iterable[tuple]) -> dict[tuple, Any]:
    """Existing rows by their key `fields`, in as few queries as SQLite's parameter limit allows."""
    keys = list(dict.fromkeys(keys))
    found = {}
    for chunk in chunks(keys, MAX_PARAMS_PER_QUERY // len(fields)):
        if len(fields) == 1:
            condition = Q(**{f"{fields[0]}__in": [key[0] for key in chunk]})
        else:
            condition = Q(*(Q(**dict(zip(fields, key))) for key in chunk), _connector=Q.OR)
        for obj in queryset.filter(condition):
            found[tuple(getattr(obj, name) for name in fields)] = obj
    return found


def code_map(model: type[models.Model]) -> dict[str, int]:
    """Reference code → id for one reference table (platforms, categories, services)."""
    return dict(model.objects.values_list("code", "pk"))


class Upsert:
    """The inserts and in-place updates of one model, staged per key and then written in batches."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.create: list[models.Model] = []
        self.update: dict[int, models.Model] = {}
        self.fields: set[str] = set()

    def stage(self, existing: models.Model | None, *, key: Mapping[str, Any], values: Mapping[str, Any]):
        """Stage one row; returns (instance, CREATED | UPDATED | UNCHANGED). `values` use attnames (store_id)."""
        if existing is None:
            obj = self.model(**key, **values)
            self.create.append(obj)
            return obj, CREATED
        changed = [name for name, value in values.items() if getattr(existing, name) != value]
        for name in changed:
            setattr(existing, name, values[name])
        if not changed:
            return existing, UNCHANGED
        self.fields.update(changed)
        self.update[existing.pk] = existing
        return existing, UPDATED

    def touch(self, obj: models.Model) -> None:
        """Mark an existing row as updated when only its relations changed, so its updated_at moves."""
        self.update[obj.pk] = obj

    def save(self) -> None:
        self.model.objects.bulk_create(self.create, batch_size=BATCH_SIZE)
        if not self.update:
            return
        fields = set(self.fields)
        # bulk_update skips pre_save, so auto_now columns are set here.
        now = timezone.now()
        for auto in [f for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)]:
            for obj in self.update.values():
                setattr(obj, auto.attname, now)
            fields.add(auto.attname)
        if fields:
            self.model.objects.bulk_update(list(self.update.values()), sorted(fields), batch_size=BATCH_SIZE)


def upsert_rows(
    model: type[models.Model], *, key_fields: Sequence[str], rows: Sequence[tuple[tuple, dict]], dry_run: bool,
    result: ImportResult | None = None, on_existing: Callable[[models.Model, dict], dict] | None = None,
) -> tuple[ImportResult, list[tuple]]:
    """Upsert plain rows (key values in `key_fields` order, other values) of one model; returns the changed keys.

    `on_existing(obj, values)` may trim the values applied to a row that exists already (fields a file must
    not overwrite); `result` lets an importer count more than created/updated/unchanged.
    """
    existing = fetch_by_keys(model.objects.all(), fields=key_fields, keys=[key for key, _values in rows])
    upsert, changed = Upsert(model), []
    result = result if result is not None else ImportResult()
    for key, values in rows:
        obj = existing.get(key)
        if obj is not None and on_existing is not None:
            values = on_existing(obj, values)
        _obj, status = upsert.stage(obj, key=dict(zip(key_fields, key)), values=values)
        result.count(status)
        if status != UNCHANGED:
            changed.append(key)
    if not dry_run:
        upsert.save()
    return result, changed
