"""The anonymous page cache of the directory and home page, invalidated by a "ratings generation" number.

Keys carry the generation, so bumping it orphans every cached page at once (they expire on their own);
nothing has to list or delete keys, which works the same on the in-process cache and on Redis.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "directory:generation"


def directory_cache_seconds() -> int:
    """How long a rendered page is kept; 0 switches the cache off (the benchmark measures both)."""
    return getattr(settings, "DIRECTORY_CACHE_SECONDS", 600)


def directory_generation() -> int:
    """The current ratings generation (created on first use; never expires)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def directory_cache_bump() -> None:
    """Start a new generation: every page cached so far is stale. Call after ratings or provider data change."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): any new one differs from what pages were cached under
        cache.add(GENERATION_KEY, 2, timeout=None)


def directory_cache_key(*, page: str, query: str, language: str) -> str:
    """The key of one rendered page: page name, generation, language and the full query string."""
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"directory:{page}:{directory_generation()}:{language}:{digest}"


def cached_parts(*, page: str, ids: list, language: str, render) -> dict:
    """The cached HTML of several parts of a page (one per id), fetched together; `render(missing_ids)` → {id: html}.

    Directory cards are the same whatever filters found them, so a new combination of filters (a page miss)
    still finds most of its cards rendered: one get_many instead of twenty renders and their prefetches.
    """
    seconds = directory_cache_seconds()
    if seconds <= 0:
        return render(list(ids))
    prefix = f"directory:{page}:{directory_generation()}:{language}:"
    found = cache.get_many([f"{prefix}{id_}" for id_ in ids])
    html = {id_: found[f"{prefix}{id_}"] for id_ in ids if f"{prefix}{id_}" in found}
    missing = [id_ for id_ in ids if id_ not in html]
    if missing:
        fresh = render(missing)
        cache.set_many({f"{prefix}{id_}": part for id_, part in fresh.items()}, timeout=seconds)
        html.update(fresh)
    return html


def cached_fragment(*, page: str, query: str, language: str, render):
    """The cached rendering of a page fragment (HTML, or a dict of HTML parts), made by `render()` on a miss."""
    seconds = directory_cache_seconds()
    if seconds <= 0:
        return render()
    key = directory_cache_key(page=page, query=query, language=language)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout=seconds)
    return html


def cached_value(*, name: str, compute):
    """A value every directory page needs whatever its filters (the filter form's choices, the city list), computed
    once per generation by `compute()`: it changes only when providers or reference data do, which start one."""
    seconds = directory_cache_seconds()
    if seconds <= 0:
        return compute()
    key = f"directory:value:{name}:{directory_generation()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=seconds)
    return value
