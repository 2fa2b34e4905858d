"""The dashboard in English: the indicators named in English, English punctuation.

The committed .mo is compiled by `make messages` after a change to the .po; these tests
compile the .po into a temporary catalogue, so they read what the .po says now."""

import re
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from zongzhi.analytics import indicators, rollups
from zongzhi.analytics.tests.test_dashboard import leader
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast

pytestmark = pytest.mark.django_db

PO = Path(django_settings.BASE_DIR) / "zongzhi" / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def english_catalogue(tmp_path: Path, settings: object) -> Iterator[None]:
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    polib.pofile(str(PO)).save_as_mofile(str(target / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


def _visible_text(html: str) -> str:
    """What a reader sees: no scripts, no styles, no tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _english_dashboard(cast: Cast) -> str:
    client = leader(cast)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return str(client.get(reverse("analytics:dashboard")).content.decode())


def test_every_indicator_has_an_english_name_and_formula() -> None:
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(PO))}
    every = [*indicators.INDICATORS.values(), *indicators.REGISTER_INDICATORS.values()]
    missing = [i.name for i in every if not catalogue.get(i.name)]
    missing += [i.formula for i in every if not catalogue.get(i.formula)]
    assert not missing
    for text in (catalogue[i.name] for i in every):
        assert not re.search(r"[，：；（）。、]", text)


def test_the_english_dashboard_names_its_figures_in_english(
    cast: Cast, english_catalogue: None
) -> None:
    case_in(cast, Status.CLOSED)
    rollups.refresh_rollups()
    html = _english_dashboard(cast)
    for name in ("Received", "Resolution rate", "Satisfaction rate", "Major hazards"):
        assert name in html
    for name in ("受理登记数", "化解率", "满意率", "重大风险隐患"):
        assert name not in html
    assert "Figures updated at" in html


def test_the_english_dashboard_uses_english_punctuation(
    cast: Cast, english_catalogue: None
) -> None:
    case_in(cast, Status.CLOSED)
    rollups.refresh_rollups()
    html = _english_dashboard(cast)
    text = _visible_text(html)
    found = sorted({m.group(0).strip() for m in re.finditer(r".{0,20}[，：].{0,20}", text)})
    assert not found, found


@pytest.mark.parametrize(
    "page",
    [
        "analytics:scorecard",
        "analytics:signoff",
        "analytics:hotspots",
        "analytics:repeats",
        "analytics:bulletin",
    ],
)
def test_the_other_figures_pages_in_english_name_the_indicators_and_punctuate_in_english(
    cast: Cast, english_catalogue: None, page: str
) -> None:
    case_in(cast, Status.CLOSED)
    rollups.refresh_rollups()
    client = leader(cast)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = _visible_text(client.get(reverse(page)).content.decode())
    found = sorted(
        {m.group(0).strip() for m in re.finditer(r".{0,20}[，：；（）。、].{0,20}", text)}
    )
    assert not found, found
    for chinese in ("化解率", "办结率", "满意率", "乡镇/街道", "村/社区"):
        assert chinese not in text, chinese
    if page == "analytics:scorecard":
        assert "Resolution rate" in text and "Satisfaction rate" in text
    if page == "analytics:signoff":
        assert "Township / street" in text and "年" not in text
