"""How static files are stored in production: hashed names (cached for a year by
browsers), compressed copies, served by the application itself (WhiteNoise), so no proxy
is needed for `/static/`.
"""

from collections.abc import Callable
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


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
