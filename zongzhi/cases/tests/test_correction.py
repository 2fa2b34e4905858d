"""更正: who corrects what, when, and what the timeline and the figures make of it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.analytics import indicators, rollups
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in, category
from zongzhi.conftest import Cast
from zongzhi.core.errors import Refused

OTHER = "LZJF01"  # 劳资纠纷 / 欠薪, beside the factories' 邻里纠纷


def _last(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).order_by("-pk").first()  # type: ignore[return-value]


def test_the_centre_corrects_a_case_before_dispatch_and_the_entry_keeps_before_and_after(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.ACCEPTED)
    old = case.category
    services.case_correct(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        changes={"category": category(OTHER), "amount": Decimal("8000"), "title": case.title},
        note="登记时分类选错",
    )
    case.refresh_from_db()
    assert case.category.code == OTHER
    assert case.amount == Decimal("8000")
    event = _last(case)
    assert event.step == Step.CORRECT
    assert event.note == "登记时分类选错"
    # The title did not change, so it is not in the entry.
    assert [c["field"] for c in event.data["changes"]] == ["category", "amount"]
    assert event.data["changes"][0]["before"] == str(old)
    assert event.data["changes"][0]["after"] == str(category(OTHER))
    assert event.data["changes"][0]["after_value"] == OTHER
    assert event.data["changes"][1] == {
        "field": "amount",
        "before": "",
        "after": "8000",
        "before_value": None,
        "after_value": "8000",
    }
    page = cast.client_for(cast.by_role[Role.INTAKE_OFFICER]).get(f"/cases/{case.code}/")
    assert f"分类：{old} → {category(OTHER)}" in page.content.decode()


def test_after_dispatch_the_lead_unit_corrects_the_facts_and_the_centre_the_category(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    handler, intake = cast.by_role[Role.UNIT_HANDLER], cast.by_role[Role.INTAKE_OFFICER]
    services.case_correct(
        by=handler,
        case=case,
        changes={"description": "经核实，杂物为装修垃圾。", "people_count": 3},
    )
    assert _last(case).step == Step.CORRECT_FACTS
    with pytest.raises(Refused, match="分类"):
        services.case_correct(by=handler, case=case, changes={"category": category(OTHER)})
    services.case_correct(by=intake, case=case, changes={"category": category(OTHER)})
    assert _last(case).step == Step.CORRECT
    with pytest.raises(Refused, match="“描述”由主办单位更正"):
        services.case_correct(by=intake, case=case, changes={"description": "另一说法"})
    case.refresh_from_db()
    assert (case.people_count, case.category.code) == (3, OTHER)
    assert case.description == "经核实，杂物为装修垃圾。"


def test_a_closed_case_is_not_corrected_until_it_is_reopened(cast: Cast) -> None:
    case = case_in(cast, Status.CLOSED)
    handler, intake = cast.by_role[Role.UNIT_HANDLER], cast.by_role[Role.INTAKE_OFFICER]
    for by in (handler, intake):
        with pytest.raises(Refused, match="待回访"):
            services.case_correct(by=by, case=case, changes={"amount": Decimal("1")})
    services.case_visit(
        by=intake, case=case, satisfaction=Case.Satisfaction.UNSATISFIED, note="杂物仍在"
    )
    services.case_correct(by=handler, case=case, changes={"amount": Decimal("1")})
    case.refresh_from_db()
    assert case.amount == Decimal("1")


@pytest.mark.parametrize("status", [Status.VISITED, Status.ARCHIVED, Status.REJECTED])
def test_no_one_corrects_a_case_whose_life_has_ended(cast: Cast, status: Status) -> None:
    case = case_in(cast, status)
    with pytest.raises(Refused):
        services.case_correct(
            by=cast.by_role[Role.INTAKE_OFFICER], case=case, changes={"title": "新标题"}
        )


def test_a_correction_outside_the_actors_scope_is_refused_and_changes_nothing(cast: Cast) -> None:
    case = case_in(cast, Status.REGISTERED)
    for by in (cast.outsider, cast.by_role[Role.LEADER], cast.by_role[Role.UNIT_HANDLER]):
        with pytest.raises(PermissionDenied):
            services.case_correct(by=by, case=case, changes={"title": "新标题"})
    case.refresh_from_db()
    assert case.title != "新标题"
    assert not CaseEvent.objects.filter(case=case, step=Step.CORRECT).exists()


def test_bad_input_names_the_field_in_chinese_and_changes_nothing(cast: Cast) -> None:
    case = case_in(cast, Status.ACCEPTED)
    intake = cast.by_role[Role.INTAKE_OFFICER]
    bad = [
        ({"risk_level": Case.Risk.HIGH}, "risk_reasons", "须写明原因"),
        ({"region": cast.places.g2}, "region", "本综治中心辖区"),
        ({"people_count": 0}, "people_count", "至少为1"),
        ({"title": "  "}, "title", "请填写标题"),
        ({"category": category("LLJF")}, "category", "二级分类"),
        ({"lead_unit": cast.units.t1_station}, "lead_unit", "不能更正"),
        ({"title": case.title}, "__all__", "没有需要更正的内容"),
    ]
    for changes, field, words in bad:
        with pytest.raises(ValidationError) as error:
            services.case_correct(by=intake, case=case, changes=changes)
        assert words in " ".join(error.value.message_dict[field]), (changes, error.value)
    assert not CaseEvent.objects.filter(case=case, step=Step.CORRECT).exists()


def test_the_figures_follow_a_corrected_category_and_place(cast: Cast) -> None:
    case = case_in(cast, Status.ACCEPTED)
    old = case.category
    day = timezone.localdate(case.registered_at)
    rollups.refresh_rollups()

    def by_category() -> dict[int, int]:
        rows = indicators.breakdown("", day, day, "category")
        return {r["key"]: r["received"] for r in rows if r["received"]}

    assert by_category() == {old.pk: 1}
    grid, village = cast.places.g1, cast.places.v1
    assert indicators.counter_sums(grid.prefix, day, day)["received"] == 1
    services.case_correct(
        by=cast.by_role[Role.INTAKE_OFFICER],
        case=case,
        changes={"category": category(OTHER), "region": village},
    )
    rollups.refresh_rollups()
    assert by_category() == {category(OTHER).pk: 1}
    assert indicators.counter_sums(grid.prefix, day, day)["received"] == 0
    assert indicators.counter_sums(village.prefix, day, day)["received"] == 1
    assert indicators.counter_sums(cast.places.t1.prefix, day, day)["accepted"] == 1
    case.refresh_from_db()
    assert case.region_prefix == village.prefix


def test_the_page_offers_the_correction_form_with_the_fields_the_person_may_correct(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    handler = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    page = handler.get(f"/cases/{case.code}/").content.decode()
    form = page[page.index('data-step="correct"') :]
    form = form[: form.index("</details>")]
    assert 'name="description"' in form and 'name="amount"' in form
    assert 'name="category"' not in form and 'name="title"' not in form

    response = handler.post(
        f"/cases/{case.code}/do/correct/",
        {
            "description": case.description,
            "address": "右所社区3组",
            "people_count": "4",
            "risk_level": "low",
            "risk_reasons": "",
            "amount": "",
            "note": "现场核实",
        },
    )
    assert response.status_code == 302, response.content.decode()
    case.refresh_from_db()
    assert (case.people_count, case.address) == (4, "右所社区3组")
    page = handler.get(f"/cases/{case.code}/").content.decode()
    assert "涉及人数：2 → 4" in page or "涉及人数：1 → 4" in page


def test_a_refused_correction_on_the_page_names_the_field_and_changes_nothing(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.ACCEPTED)
    intake = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    data = {
        "category": str(case.category_id),
        "title": case.title,
        "description": case.description,
        "region": str(case.region_id),
        "address": "",
        "amount": "",
        "people_count": "1",
        "risk_level": "major",
        "risk_reasons": "",
    }
    response = intake.post(f"/cases/{case.code}/do/correct/", data)
    assert response.status_code == 400
    assert "风险等级为高或重大时须写明原因" in response.content.decode()
    case.refresh_from_db()
    assert case.risk_level == Case.Risk.LOW
