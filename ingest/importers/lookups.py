"""Lookups the loaders share: providers by slug, stores by platform and id, constraint messages for row errors."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from providers.models import Provider, Store

from ..csv_import import Cells, cell, fetch_by_keys


def constraint_message(model, suffix: str) -> str:
    """The model's own message for its constraint `<app>_<model>_<suffix>`, so import errors read like form errors."""
    name = f"{model._meta.app_label}_{model._meta.model_name}_{suffix}"
    return str(next(c for c in model._meta.constraints if c.name == name).violation_error_message)


def provider_ids_by_slug(numbered: Sequence[tuple[int, Mapping]]) -> dict[str, int]:
    """slug → id of the providers the rows' provider_slug cells name, in chunked queries."""
    slugs = {(cell(row, "provider_slug"),) for _number, row in numbered}
    found = fetch_by_keys(Provider.objects.only("pk", "slug"), fields=("slug",), keys=slugs)
    return {key[0]: provider.pk for key, provider in found.items()}


def parse_provider(cells: Cells, *, providers: Mapping[str, int]) -> int | None:
    return cells.code("provider_slug", known=providers, code="unknown_provider", message=_("服务商 %(code)s 不存在"))


def stores_by_key(numbered: Sequence[tuple[int, Mapping]], *, platforms: Mapping[str, int]) -> dict[tuple, Store]:
    """The existing stores the rows name, keyed by (platform id, external id)."""
    keys = {
        (platforms[code], cell(row, "store_external_id"))
        for _number, row in numbered
        if (code := cell(row, "platform")) in platforms
    }
    return fetch_by_keys(Store.objects.all(), fields=("platform_id", "external_id"), keys=keys)


def parse_store(cells: Cells, *, platforms: Mapping[str, int], stores: Mapping[tuple, Store]) -> Store | None:
    """The existing store that a row's platform + store_external_id name; an unknown one is an error."""
    platform_id = cells.code("platform", known=platforms)
    external_id = cells.text("store_external_id", field=Store._meta.get_field("external_id"))
    if platform_id is None or not external_id:
        return None
    store = stores.get((platform_id, external_id))
    if store is None:
        cells.error("store_external_id", _("店铺 %(platform)s:%(id)s 不存在") % {
            "platform": cell(cells.row, "platform"), "id": external_id}, "unknown_store")
    return store
