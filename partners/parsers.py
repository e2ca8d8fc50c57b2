"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request of the API needs (400, not 500).

Python's JSON decoder recurses once per level: a body of a few hundred kilobytes of `[` raises RecursionError,
which DRF's parser does not catch (a 500). Bodies nested deeply but within Python's limit would only recurse
again later (serializers, the idempotency fingerprint), so the depth is checked after parsing too.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest request body is the ingest's {"rows": [{cell: value}]}: 3 levels; the limit leaves ample room.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(value, limit: int) -> bool:
    """Whether parsed JSON nests objects and arrays more than `limit` deep (`[]` is 1 deep); iterative."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class DepthLimitedJSONParser(JSONParser):
    """JSONParser that answers a body nested deeper than MAX_JSON_DEPTH with a ParseError (400 `parse_error`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self.too_deep_message()) from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(self.too_deep_message())
        return data

    @staticmethod
    def too_deep_message() -> str:
        return _("JSON 嵌套过深：最多 %(limit)d 层。") % {"limit": MAX_JSON_DEPTH}
