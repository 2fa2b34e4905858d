"""What the case page says once a step is taken reads as a sentence, in both languages."""

import re

import polib
import pytest
from django.conf import settings

from zongzhi.accounts.rules import Role
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.cases.views import STEP_DONE, STEP_FORMS
from zongzhi.conftest import Cast
from zongzhi.hazards.views import STEP_DONE as HAZARD_STEP_DONE
from zongzhi.hazards.views import STEP_FORMS as HAZARD_STEP_FORMS

PO = settings.BASE_DIR / "zongzhi" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_case_step_has_its_own_sentence() -> None:
    assert set(STEP_DONE) == set(STEP_FORMS)
    assert set(HAZARD_STEP_DONE) == set(HAZARD_STEP_FORMS)


def test_no_done_message_puts_yi_before_a_noun() -> None:
    said = {str(text) for text in STEP_DONE.values()}
    # What "已" + the step's name used to say.
    for bad in (
        "已调解协议书",
        "已办理记录",
        "已调解记录",
        "已吹哨报到",
        "已督办反馈",
        "已关联事项",
    ):
        assert bad not in said
    assert str(STEP_DONE["agree"]) == "调解协议书已生成"
    for text in map(str, HAZARD_STEP_DONE.values()):
        assert not text.startswith("已已")


def test_the_english_done_messages_are_sentences_with_english_punctuation() -> None:
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(PO))}
    for text in map(str, [*STEP_DONE.values(), *HAZARD_STEP_DONE.values()]):
        english = catalogue.get(text)
        assert english, f"no English for {text}"
        assert not re.search(r"[，：；（）。、]", english)


@pytest.mark.django_db
def test_accepting_a_case_says_the_case_has_been_accepted(cast: Cast) -> None:
    case = case_in(cast, Status.REGISTERED)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post(f"/cases/{case.code}/do/accept/", {"note": ""}, follow=True)
    assert "事项已受理" in response.content.decode()


def _said_to_the_person() -> tuple[set[str], list[str]]:
    """Every message a page flashes (django.contrib.messages) in the code: the msgids it
    translates, and the places that flash words no catalogue translates."""
    import ast

    translated: set[str] = set()
    untranslated: list[str] = []
    root = settings.BASE_DIR / "zongzhi"
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "messages"
                and node.func.attr in {"success", "info", "warning", "error"}
                and len(node.args) >= 2
            ):
                continue
            said = node.args[1]
            if isinstance(said, ast.JoinedStr) or (
                isinstance(said, ast.Constant) and isinstance(said.value, str)
            ):
                untranslated.append(f"{path.relative_to(root)}:{node.lineno}")
            for inner in ast.walk(said):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in {"gettext", "_", "gettext_lazy"}
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                ):
                    translated.add(inner.args[0].value)
    return translated, untranslated


def test_every_flashed_message_is_translated_into_english_with_english_punctuation() -> None:
    translated, untranslated = _said_to_the_person()
    assert not untranslated, untranslated
    assert len(translated) > 20  # the scan found the pages' messages
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(PO))}
    for text in translated:
        english = catalogue.get(text)
        assert english, f"no English for {text}"
        assert not re.search(r"[，：；（）。、]", english), english
