"""Writes of the search index: one ProviderSearch row per provider, rebuilt from the provider and its relations.

Called wherever searchable text changes: the admin (a provider, or a platform, category or service name), the
directory importer and the demo seed (in bulk), and the data migration that created the table. A rating write
changes none of it and calls nothing here.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps as django_apps
from django.db import transaction

from ..cities import city_name_en
from .text import document_tokens, name_sort_key

CHUNK = 500
RELATIONS = (("platforms", "Platform"), ("categories", "Category"), ("services", "Service"))


def search_row_values(*, name: str, name_en: str, description: str, description_en: str, city: str,
                      reference_names: Iterable[str]) -> dict[str, str]:
    """The ProviderSearch fields of one provider's text."""
    return {
        "names": document_tokens(name, name_en),
        "body": document_tokens(description, description_en, city, city_name_en(city), *reference_names),
        "name_sort": name_sort_key(name),
        # English pages show the Chinese name where no English one is known, so it sorts by its pinyin there.
        "name_en_sort": name_sort_key(name_en or name),
    }


def providers_search_refresh(*, provider_ids: Iterable[int] | None = None, apps=django_apps) -> int:
    """Rebuild the search rows of these providers (all of them when None) in one transaction; returns how many.

    Set-based: one query for the providers of each chunk and one per relation, whatever the chunk's size.
    `apps` is the migration's app registry when the data migration fills the table.
    """
    Provider = apps.get_model("providers", "Provider")
    ProviderSearch = apps.get_model("providers", "ProviderSearch")
    names = {
        relation: dict(apps.get_model("providers", model).objects.values_list("pk", "name")) for relation, model in RELATIONS
    }
    names_en = {
        relation: dict(apps.get_model("providers", model).objects.values_list("pk", "name_en"))
        for relation, model in RELATIONS
    }
    ids = (
        list(Provider.objects.order_by("pk").values_list("pk", flat=True)) if provider_ids is None
        else sorted(set(provider_ids))
    )
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            reference: dict[int, list[str]] = {pk: [] for pk in chunk}
            for relation, _model in RELATIONS:
                through = Provider._meta.get_field(relation).remote_field.through
                target = Provider._meta.get_field(relation).m2m_reverse_field_name() + "_id"
                for provider_id, target_id in through.objects.filter(provider_id__in=chunk).values_list(
                    "provider_id", target
                ):
                    reference[provider_id] += [names[relation][target_id], names_en[relation][target_id]]
            rows = [
                ProviderSearch(provider_id=pk, **search_row_values(
                    name=name, name_en=name_en, description=description, description_en=description_en, city=city,
                    reference_names=reference[pk],
                ))
                for pk, name, name_en, description, description_en, city in Provider.objects.filter(
                    pk__in=chunk
                ).values_list("pk", "name", "name_en", "description", "description_en", "city")
            ]
            # Delete and insert rather than upsert: SQLite's FTS5 index follows both by trigger (migration 0009).
            ProviderSearch.objects.filter(provider_id__in=chunk).delete()
            ProviderSearch.objects.bulk_create(rows, batch_size=CHUNK)
            written += len(rows)
    return written


def reference_search_refresh(*, relation: str, pk: int) -> int:
    """Rebuild the search rows of the providers linked to one platform, category or service (its name changed)."""
    Provider = django_apps.get_model("providers", "Provider")
    through = Provider._meta.get_field(relation).remote_field.through
    target = Provider._meta.get_field(relation).m2m_reverse_field_name() + "_id"
    return providers_search_refresh(
        provider_ids=through.objects.filter(**{target: pk}).values_list("provider_id", flat=True)
    )
