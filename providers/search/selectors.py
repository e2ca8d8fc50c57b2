"""Reads of the search index: the providers a query matches, and how well, with each database's own full text.

PostgreSQL: stored tsvectors of the tokens (array_to_tsvector, migration 0016) with GIN indexes, queried with a
tsquery of the same tokens through two functions that always read the indexes (migration 0017). SQLite: the FTS5 table that mirrors ProviderSearch (migration 0009). Both get the tokens from
providers.search.text, so they agree on every match (tests/providers/test_search.py runs one table of queries
on each).
"""
from __future__ import annotations

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from .text import Token, Word

# The ids whose stored tsvector (migration 0016, GIN-indexed) matches a tsquery: all tokens, or the names' only.
# Functions (migration 0017) whose plan always reads the index: a sequential scan would fetch every out-of-line
# vector, several times slower for the common terms the planner would scan for.
_PG_ALL = "providers_search_ids"
_PG_NAMES = "providers_search_name_ids"
FTS_TABLE = "providers_providersearch_fts"


def _pg_tsquery(tokens: tuple[Token, ...]) -> str:
    # Tokens are letters, digits and Chinese characters only (text.py), so quoting them needs no escaping.
    return " & ".join(f"'{token.text}'" + (":*" if token.prefix else "") for token in tokens)


def _fts_query(tokens: tuple[Token, ...], *, names_only: bool) -> str:
    match = " AND ".join(f'"{token.text}"' + ("*" if token.prefix else "") for token in tokens)
    return f"{{names}} : ({match})" if names_only else match


def _matching_ids(tokens: tuple[Token, ...], *, names_only: bool = False) -> RawSQL:
    """A subquery of the ids of providers whose tokens include all of these (only their names' if names_only)."""
    if connection.vendor == "postgresql":
        function = _PG_NAMES if names_only else _PG_ALL
        return RawSQL(f"SELECT id FROM {function}(%s::tsquery) AS id", [_pg_tsquery(tokens)])
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [_fts_query(tokens, names_only=names_only)])


def providers_matching(queryset: QuerySet, *, words: list[Word], rank: bool = False) -> QuerySet:
    """The providers of the queryset matching every word, in any searchable field and any order.

    With `rank`, each gets `search_rank`: how many of the words its names contain (the relevance order, most
    first). No words (a query of punctuation only) matches nothing.
    """
    if not words:
        queryset = queryset.none()
        return queryset.annotate(search_rank=Value(0, output_field=IntegerField())) if rank else queryset
    tokens = tuple(dict.fromkeys(token for word in words for token in word.tokens))
    queryset = queryset.filter(pk__in=_matching_ids(tokens))
    if rank:
        in_names = [
            Case(When(Q(pk__in=_matching_ids(word.tokens, names_only=True)), then=Value(1)), default=Value(0),
                 output_field=IntegerField())
            for word in words
        ]
        total = in_names[0]
        for term in in_names[1:]:
            total = total + term
        queryset = queryset.annotate(search_rank=total)
    return queryset
