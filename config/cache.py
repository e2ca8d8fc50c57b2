"""A Redis cache that degrades to "no cache" while Redis is unreachable, so pages and API reads keep working.

Every operation that fails with a Redis connection or timeout error logs a warning and answers as a miss:
reads return the default, writes are dropped, `add` reports success (the key was not there to conflict with),
`incr` counts from scratch. Short socket timeouts (OPTIONS, set in settings) keep a dead Redis from stalling
requests. /readyz still reports the cache down: it writes then reads a probe and sees the miss.
"""
from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def _fallback(miss):
    """Run the cache operation; on a connection failure log it and return `miss(*args, **kwargs)` instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                logger.warning("cache unavailable, %s answered as a miss: %s: %s",
                               method.__name__, type(exc).__name__, exc)
                return miss(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _true(*args, **kwargs):
    return True


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _incr_miss(key, delta=1, *args, **kwargs):
    return delta


def _set_many_miss(data, *args, **kwargs):
    return list(data)  # the keys that were not stored


class FallbackRedisCache(RedisCache):
    """django's RedisCache, answering as an empty cache instead of raising while Redis is down."""

    get = _fallback(_default)(RedisCache.get)
    set = _fallback(_nothing)(RedisCache.set)
    add = _fallback(_true)(RedisCache.add)
    touch = _fallback(_false)(RedisCache.touch)
    delete = _fallback(_false)(RedisCache.delete)
    get_many = _fallback(_empty)(RedisCache.get_many)
    set_many = _fallback(_set_many_miss)(RedisCache.set_many)
    delete_many = _fallback(_nothing)(RedisCache.delete_many)
    has_key = _fallback(_false)(RedisCache.has_key)
    incr = _fallback(_incr_miss)(RedisCache.incr)
    decr = _fallback(lambda key, delta=1, *a, **k: -delta)(RedisCache.decr)
    clear = _fallback(_false)(RedisCache.clear)
