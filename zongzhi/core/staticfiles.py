"""How static files are stored in production: hashed names (cached for a year by
browsers), compressed copies, served by the application itself (WhiteNoise), so no proxy
is needed for `/static/`.
"""

import os
from collections.abc import Callable
from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class KeepingCompressor(Compressor):
    """WhiteNoise's compressor, which keeps compressed copies that are still good: a
    file with a hashed name (its name says its content) whose copies are there, or any file
    whose copies carry its modification time (WhiteNoise stamps each copy with its
    source's). Brotli at its best setting takes tens of seconds over the vendored scripts on
    a busy two-core server, and `make serve` collects at every start (Django writes the
    hashed stylesheets and scripts again each time, so their times always change)."""

    def __init__(self, *args: Any, hashed: frozenset[str] = frozenset(), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.hashed = hashed

    def compress(self, path: str) -> list[str]:
        suffixes = [s for s, on in ((".br", self.use_brotli), (".gz", self.use_gzip)) if on]
        copies = [path + s for s in suffixes]
        if copies:
            if path in self.hashed and all(os.path.exists(c) for c in copies):
                return copies
            source = os.stat(path).st_mtime
            if all(_same_time(c, source) for c in copies):
                return copies
        return list(super().compress(path))

    def write_data(self, path: str, data: bytes, suffix: str, stat_result: Any) -> str:
        # Whole or not at all: a copy that exists is complete, even after a crash.
        filename = path + suffix
        partial = filename + ".partial"
        with open(partial, "wb") as f:
            f.write(data)
        os.utime(partial, (stat_result.st_atime, stat_result.st_mtime))
        os.replace(partial, filename)
        return filename


def _same_time(path: str, mtime: float) -> bool:
    try:
        # os.utime was given a float: allow for its rounding.
        return abs(os.stat(path).st_mtime - mtime) < 0.001
    except FileNotFoundError:
        return False


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, tolerant of a missing source map.

    The vendored front-end files are the minified releases without their source maps, and
    leaflet.js still ends with `//# sourceMappingURL=leaflet.js.map`. Django rewrites such a
    reference to the map's hashed name and fails `collectstatic` when the map is absent.
    `WHITENOISE_MANIFEST_STRICT` does not help there (it governs looking names up in the
    manifest when pages render, not post-processing). A source map only helps a developer's
    debugger, so a missing one is left as written — the browser asks for it only with its
    developer tools open, and gets a 404. Any other missing file (an image a stylesheet
    names) still fails the collection.
    """

    def create_compressor(self, **kwargs: Any) -> Compressor:
        hashed = frozenset(self.path(name) for name in self.hashed_files.values())
        return KeepingCompressor(hashed=hashed, **kwargs)

    def url_converter(self, *args: Any, **kwargs: Any) -> Callable[[Any], str]:
        convert = super().url_converter(*args, **kwargs)

        def converter(matchobj: Any) -> str:
            try:
                return str(convert(matchobj))
            except ValueError:
                if matchobj["url"].split("?", 1)[0].endswith(".map"):
                    return str(matchobj["matched"])
                raise

        return converter
