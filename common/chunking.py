"""Splitting long id lists so every query stays under SQLite's parameter limit."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

# SQLite allows 999 parameters per statement; stay under it with room for the query's own parameters.
MAX_PARAMS_PER_QUERY = 900


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
