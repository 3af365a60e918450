"""Values worth keeping per content generation: in this process's memory, else in the shared
cache (for every process), else built once and shared.

The key of each value names the content generation (portal.caching.generation), so a value
is never out of date: new content asks for a new key, and the old value is replaced in
memory and left to expire in the cache.
"""

import threading

from django.core.cache import cache

# Long enough to outlive most content generations; a new generation uses a new key anyway.
CACHE_TIMEOUT = 24 * 60 * 60


class Memo:
    """Named values, each kept in memory with the key it was read or built under.

    Thread-safe; re-entrant, so that building one value may read another of the same memo.
    """

    def __init__(self, timeout=CACHE_TIMEOUT):
        self.timeout = timeout
        self._values = {}  # {name: (key, value)}
        self._lock = threading.RLock()

    def get(self, name, key, build):
        """The value `name` under the cache key `key`: from memory if it is kept under that
        key, else from the shared cache, else `build()` (then shared)."""
        with self._lock:
            remembered = self._values.get(name)
            if remembered is not None and remembered[0] == key:
                return remembered[1]
            found = cache.get(key)
            if found is None:
                found = build()
                cache.set(key, found, self.timeout)
            self._values[name] = (key, found)
            return found

    def put(self, name, key, value):
        """Keep `value` as `name` under `key`, here and in the shared cache."""
        with self._lock:
            self._values[name] = (key, value)
            cache.set(key, value, self.timeout)

    def __contains__(self, name):
        """Whether `name` is kept in memory (under any key)."""
        return name in self._values

    def clear(self):
        """Forget every value kept in memory (the shared cache keeps its copies)."""
        with self._lock:
            self._values.clear()
