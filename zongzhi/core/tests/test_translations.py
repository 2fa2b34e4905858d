"""The English catalogue: complete, compiled, and faithful to every placeholder.

The source strings are Simplified Chinese; English is the translation. These checks read the
committed .po and .mo files only, so they need neither a database nor gettext tools.
"""

import re
from pathlib import Path

import polib

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# %(name)s, %s, %d …; %% is a literal percent sign, not a placeholder.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# {name} or {0} (str.format); {{ … }} is not one.
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_0-9.]*\}(?!\})")


def _entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(PO_PATH)) if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())


def _pairs(catalogue: polib._BaseFile) -> set[tuple[str, str, str]]:
    """(msgctxt, msgid, msgstr) for every translation, plural forms included."""
    pairs = set()
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:  # the header is compared separately
            continue
        ctxt = entry.msgctxt or ""
        if entry.msgid_plural:
            for index, msgstr in entry.msgstr_plural.items():
                pairs.add((ctxt, f"{entry.msgid}\x00{entry.msgid_plural}[{index}]", msgstr))
        else:
            pairs.add((ctxt, entry.msgid, entry.msgstr))
    return pairs


def _placeholders(text: str) -> set[str]:
    return set(PERCENT_PLACEHOLDER.findall(text.replace("%%", ""))) | set(
        BRACE_PLACEHOLDER.findall(text)
    )


def test_every_string_has_an_english_translation() -> None:
    untranslated = [e.msgid for e in _entries() if not all(_translations(e))]
    assert not untranslated, "untranslated in the English catalogue: " + ", ".join(untranslated)


def test_no_translation_is_marked_fuzzy() -> None:
    catalogue = polib.pofile(str(PO_PATH))
    fuzzy = [e.msgid or "(header)" for e in catalogue if "fuzzy" in e.flags]
    if catalogue.metadata_is_fuzzy:
        fuzzy.append("(header)")
    assert not fuzzy, "fuzzy in the English catalogue: " + ", ".join(fuzzy)


def test_the_catalogue_header_declares_english_and_its_plural_rule() -> None:
    metadata = polib.pofile(str(PO_PATH)).metadata
    assert metadata.get("Language") == "en"
    assert metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert "charset=UTF-8" in metadata.get("Content-Type", "")


def test_the_compiled_catalogue_matches_the_source_catalogue() -> None:
    po_pairs = _pairs(polib.pofile(str(PO_PATH)))
    mo_pairs = _pairs(polib.mofile(str(MO_PATH)))
    stale = sorted(po_pairs ^ mo_pairs)
    assert not stale, (
        "django.mo is out of date with django.po; run `make messages` and commit both. "
        f"Differing entries: {stale[:10]}"
    )


def test_every_placeholder_survives_translation() -> None:
    broken = []
    for entry in _entries():
        expected = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        for msgstr in _translations(entry):
            lost = expected - _placeholders(msgstr)
            if msgstr and lost:
                broken.append(f"{entry.msgid!r} loses {sorted(lost)} in {msgstr!r}")
    assert not broken, "placeholders dropped in translation:\n" + "\n".join(broken)


def test_the_navigation_reads_naturally_in_english() -> None:
    english = {e.msgid: e.msgstr for e in _entries() if not e.msgid_plural}
    assert english["首页"] == "Home"
    assert english["区划与网格"] == "Regions and grids"
    assert english["退出"] == "Sign out"
