"""Production's static files: collected with hashed names (the vendored Leaflet, whose
source map was not vendored, included) and served by the application through WhiteNoise,
hashed names cached for a year."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from whitenoise.compress import Compressor

from zongzhi.core.staticfiles import KeepingCompressor, StaticStorage

SKIP_COMPRESS = list(Compressor.SKIP_COMPRESS_EXTENSIONS)

LEAFLET = Path(settings.BASE_DIR) / "zongzhi" / "core" / "static" / "vendor" / "leaflet"
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "zongzhi.core.staticfiles.StaticStorage"},
}


@pytest.mark.django_db
def test_leaflet_is_collected_and_served_by_the_application_with_far_future_caching(
    tmp_path: Path, django_user_model: Any
) -> None:
    # What collectstatic does, for Leaflet alone: copy, then hash and compress.
    shutil.copytree(LEAFLET, tmp_path / "vendor" / "leaflet")
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES=PRODUCTION_STORAGES,
        WHITENOISE_AUTOREFRESH=False,
        # Brotli on the 150 KB script takes seconds; the stylesheet shows compression.
        WHITENOISE_SKIP_COMPRESS_EXTENSIONS=[*SKIP_COMPRESS, "js"],
    ):
        storage = StaticStorage()
        names = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()]
        processed = list(storage.post_process({n: (storage, n) for n in names}))
        failures = [p for _, _, p in processed if isinstance(p, Exception)]
        assert failures == []  # leaflet.js names leaflet.js.map, which is not there
        hashed_css = storage.stored_name("vendor/leaflet/leaflet.css")
        assert hashed_css != "vendor/leaflet/leaflet.css"
        layers = storage.stored_name("vendor/leaflet/images/layers.png")
        assert (
            f'url("{Path(layers).relative_to("vendor/leaflet")}")'
            in (tmp_path / hashed_css).read_text()
        )

        client = Client()
        response = client.get(f"/static/{hashed_css}", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/css")
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"]
        assert "max-age=315360000" in response["Cache-Control"]
        # An unhashed name may change under the same address: cached briefly.
        plain = client.get("/static/vendor/leaflet/leaflet.css")
        assert plain.status_code == 200
        assert "immutable" not in plain["Cache-Control"]
        # Signed in, so that the answer is the same whether or not an earlier test loaded
        # the URLconf with DEBUG on (which adds Django's own static view, behind the login).
        client.force_login(django_user_model.objects.create_user("reader"))
        assert client.get("/static/vendor/leaflet/absent.css").status_code == 404


def test_a_file_compressed_before_is_not_compressed_again_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make serve` collects at every start; Brotli over the vendored scripts is slow.
    css = tmp_path / "app.css"
    css.write_text("body { color: black; }\n" * 200)
    compressor = KeepingCompressor(quiet=True)
    first = compressor.compress(str(css))
    assert str(css) + ".gz" in first

    def refuse(data: bytes) -> bytes:
        raise AssertionError("compressed again")

    monkeypatch.setattr(KeepingCompressor, "compress_gzip", staticmethod(refuse))
    monkeypatch.setattr(KeepingCompressor, "compress_brotli", staticmethod(refuse))
    assert compressor.compress(str(css)) == first

    # Django writes a hashed file again at every collection: same name, same content.
    os.utime(css, (1, 2_000_000_000))
    assert KeepingCompressor(quiet=True, hashed=frozenset([str(css)])).compress(str(css)) == first

    css.write_text("body { color: red; }\n" * 200)
    os.utime(css, (1, 2_000_000_000))
    with pytest.raises(AssertionError, match="compressed again"):
        compressor.compress(str(css))
