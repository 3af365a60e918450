"""The default cache when no Redis server is configured (settings.CACHES).

Django's file-based cache compresses every entry at zlib's default level (6). The largest
entries are the facet indexes' parts (portal.finders.facets): bitmaps that compress little (about
half) whatever the level, and at level 6 compressing them took about 40 ms of a
100,000-article list's first request, against about 15 ms at level 1, for files 2-4 %
larger. Reading is unchanged: zlib reads any level, so entries written by either backend
read back in the other.
"""

import pickle
import zlib

from django.core.cache.backends.filebased import FileBasedCache

COMPRESSION_LEVEL = 1  # zlib's fastest


class FastFileBasedCache(FileBasedCache):
    """FileBasedCache that compresses at COMPRESSION_LEVEL."""

    def _write_content(self, file, timeout, value):
        # As Django's own (FileBasedCache._write_content), with the level set.
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), COMPRESSION_LEVEL))
