"""train_suggestions: too little history is said and keywords answer; with enough, a
version is measured on a held-out fifth, shown to administrators, and answers."""

from io import StringIO

import pytest
from django.core.management import call_command

from zongzhi.accounts.rules import Role
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, category
from zongzhi.conftest import Cast
from zongzhi.intake import rules, services
from zongzhi.intake.models import SuggestionModel

pytestmark = pytest.mark.django_db

WAGES = ("工人讨薪", "包工头拖欠农民工工资三万元，多次讨要无果。")
PASSAGE = ("邻居占道堆放杂物", "邻居在共用通道堆放杂物，出入不便，多次协商未果。")


def test_with_too_little_history_it_says_so(cast: Cast) -> None:
    out = StringIO()
    call_command("train_suggestions", stdout=out)
    assert "已办结事项不足" in out.getvalue()
    assert SuggestionModel.objects.get().state == SuggestionModel.State.TOO_LITTLE
    assert services.current_model() == (None, None)


def test_with_enough_history_a_version_answers_and_administrators_see_it(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "MIN_PER_CATEGORY", 5)
    for i in range(5):
        case_in(cast, Status.CLOSED, title=f"{PASSAGE[0]}{i}", description=PASSAGE[1])
        case_in(
            cast,
            Status.CLOSED,
            title=f"{WAGES[0]}{i}",
            description=WAGES[1],
            category=category("LZJF01"),
        )
    out = StringIO()
    call_command("train_suggestions", stdout=out)
    version = SuggestionModel.objects.get()
    assert version.state == SuggestionModel.State.READY and version.cases == 10
    assert version.evaluation["held_out"] == 2 and "LZJF01" in version.evaluation["per_category"]
    assert "一级分类首选准确率" in out.getvalue()
    got = services.suggest(
        by=cast.by_role[Role.INTAKE_OFFICER],
        title="讨要工资",
        description="老板拖欠工资不给。",
        region=cast.places.g1,
    )
    assert got.source == "model" and got.categories[0][0].code == "LZJF01"
    assert got.units[0][0] == cast.units.t1_station  # it closed them without returning
    admin = cast.client_for(cast.by_role[Role.ADMINISTRATOR])
    page = admin.get("/intake/models/").content.decode()
    assert "当前使用" in page and "LZJF01" in page
    officer = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert officer.get("/intake/models/").status_code == 403
