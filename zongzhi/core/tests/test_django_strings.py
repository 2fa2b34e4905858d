"""Django's own strings that its Chinese catalogue lacks are supplied by ours."""

from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import translation


def test_an_empty_choice_reads_in_chinese() -> None:
    # Django 6.1 shows "- Select an option -" as a select box's empty choice, and has no
    # Chinese for it yet: without zongzhi/locale/zh_Hans every form showed it in English.
    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "请选择"
    with translation.override("en"):
        assert str(BLANK_CHOICE_LABEL) == "- Select an option -"
