"""Keyset (cursor) pagination over orderings with nullable columns, NULLs last in both directions.

DRF's CursorPagination positions on the first ordering field alone and compares it with `<`/`>`, which
drops rows whose value is NULL (unrated providers) and cannot encode a NULL position. Here a cursor holds
the values of every ordering key of the row it starts after, the last key being unique (the pk).
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


@dataclass(frozen=True)
class Key:
    """One ordering column: its name, direction, and whether it may be NULL (NULLs always sort last)."""

    field: str
    descending: bool = False
    nullable: bool = False

    def expression(self, *, reverse: bool = False):
        descending = self.descending != reverse
        expression = F(self.field).desc if descending else F(self.field).asc
        if not self.nullable:
            return expression()
        return expression(nulls_first=True) if reverse else expression(nulls_last=True)


def order_expressions(keys: Sequence[Key], *, reverse: bool = False) -> list:
    return [key.expression(reverse=reverse) for key in keys]


def _beyond(key: Key, value, *, reverse: bool) -> Q | None:
    """Rows strictly past `value` on one key, in the forward order (or the reversed one); None for no rows."""
    if not reverse:
        if value is None:
            return None  # NULLs are last: nothing follows them
        after = Q(**{f"{key.field}__{'lt' if key.descending else 'gt'}": value})
        return after | Q(**{f"{key.field}__isnull": True}) if key.nullable else after
    if value is None:
        return Q(**{f"{key.field}__isnull": False})
    return Q(**{f"{key.field}__{'gt' if key.descending else 'lt'}": value})


def _equal(key: Key, value) -> Q:
    return Q(**{f"{key.field}__isnull": True}) if value is None else Q(**{key.field: value})


def keyset_filter(keys: Sequence[Key], values: Sequence, *, reverse: bool = False) -> Q:
    """Rows after the position `values` (before it when `reverse`), lexicographically over the keys."""
    condition, prefix = Q(pk__in=[]), Q()
    for key, value in zip(keys, values):
        beyond = _beyond(key, value, reverse=reverse)
        if beyond is not None:
            condition |= prefix & beyond
        prefix &= _equal(key, value)
    return condition


class KeysetPagination(BasePagination):
    """`?cursor=` pages over the view's `keyset_keys(request)`; `?page_size=` up to `max_page_size`."""

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor_message = _("无效的分页游标。")

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.model = queryset.model
        self.base_url = request.build_absolute_uri()
        self.keys: list[Key] = list(view.keyset_keys(request))
        self.signature = view.keyset_signature(request)
        size = self._page_size(request)
        cursor = self._decode(request.query_params.get(self.cursor_query_param))
        reverse = bool(cursor and cursor["r"])
        qs = queryset.order_by(*order_expressions(self.keys, reverse=reverse))
        if cursor:
            qs = qs.filter(keyset_filter(self.keys, cursor["v"], reverse=reverse))
        rows = list(qs[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        self.page = rows
        # Forward: a next page exists if we saw one more row; a previous one if we started from a cursor.
        # Reversed: the other way round.
        has_next = more if not reverse else bool(rows)
        has_previous = bool(cursor) if not reverse else more
        self.next_cursor = self._encode(rows[-1], reverse=False) if has_next and rows else None
        self.previous_cursor = self._encode(rows[0], reverse=True) if has_previous and rows else None
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self._link(self.next_cursor), "previous": self._link(self.previous_cursor),
                         "results": data})

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def _page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("须为 1–%(max)d 之间的整数。") % {"max": self.max_page_size}]}
            )
        return size

    def _position(self, row) -> list:
        values = []
        for key in self.keys:
            value = getattr(row, key.field)
            values.append(None if value is None else str(value) if not isinstance(value, (int, str)) else value)
        return values

    def _encode(self, row, *, reverse: bool) -> str:
        data = {"s": self.signature, "v": self._position(row), "r": reverse}
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")

    def _decode(self, raw: str | None) -> dict | None:
        if not raw:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if not (isinstance(data, dict) and data.get("s") == self.signature and isinstance(data.get("r"), bool)
                    and isinstance(data.get("v"), list) and len(data["v"]) == len(self.keys)):
                raise ValueError
            data["v"] = [self._parse(key, value) for key, value in zip(self.keys, data["v"])]
        except (ValueError, TypeError, RecursionError, binascii.Error, UnicodeDecodeError, DjangoValidationError):
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        return data

    def _parse(self, key: Key, value):
        if value is None:
            if not key.nullable:
                raise ValueError
            return None
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            raise ValueError
        field = self.model._meta.get_field("id" if key.field == "pk" else key.field)
        return field.to_python(value)

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "Opaque cursor from a previous page's `next` or `previous` link.",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Results per page (1–{self.max_page_size}, default {self.page_size}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
