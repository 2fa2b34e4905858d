"""The hazard pages as each role uses them."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards import services
from zongzhi.hazards.models import Hazard, HazardEvent
from zongzhi.hazards.rules import Status, Step
from zongzhi.hazards.tests.factories import category, hazard_in, registered


def register_post(cast: Cast, **overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": "form-key-1",
        "category": str(category().pk),
        "title": "物业公司与业主矛盾激化苗头",
        "description": "小区物业费上调，业主联名反对，存在聚集风险。",
        "region": str(cast.places.g1.pk),
        "address": "右所社区阳光小区",
        "people_count": "40",
        "amount": "",
        "level": "medium",
        "level_reasons": "",
        "responsible_unit": str(cast.units.v1_committee.pk),
        "guardian_name": "赵敏",
        "guardian_phone": "13900000009",
        "discovered_on": timezone.localdate().isoformat(),
        "review_every_days": "",
    }
    data.update(overrides)
    return data


def rows_of(page: str) -> str:
    return page.split('data-testid="hazards"')[1].split("</ul>")[0]


# --- Registering ------------------------------------------------------------------------


def test_the_form_sent_again_with_another_title_is_not_answered_with_the_first(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert client.post("/hazards/new/", register_post(cast)).status_code == 302
    changed = client.post("/hazards/new/", register_post(cast, title="河堤渗水"))
    assert changed.status_code == 200
    html = changed.content.decode()
    assert "本次提交的内容与之不同" in html and "河堤渗水" in html
    assert 'value="form-key-1"' not in html
    assert Hazard.objects.count() == 1


def test_an_intake_officer_registers_a_hazard_and_lands_on_its_page(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post("/hazards/new/", register_post(cast))
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hazards/{hazard.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "物业公司与业主矛盾激化苗头" in page
    assert f"已登记风险隐患 {hazard.code}" in page
    assert hazard.review_every_days == 30  # the medium level's interval, as the form said
    assert 'data-step="review"' in page


def test_sending_the_register_form_twice_creates_one_hazard(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    first = client.post("/hazards/new/", register_post(cast))
    second = client.post("/hazards/new/", register_post(cast))
    assert Hazard.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "这个字段是必填项"),
        ({"level": "high"}, "level_reasons", "风险等级为高或重大时须写明定级理由"),
        # The village's committee is offered (the officer may register in the village),
        # but it cannot answer for a hazard of the whole township.
        ({"region": "t1"}, "responsible_unit", "责任单位须是所在地或其上级的单位"),
        ({"people_count": "0"}, "people_count", "1"),
        ({"review_every_days": "400"}, "review_every_days", "366"),
        ({"discovered_on": "tomorrow"}, "discovered_on", "发现日期不能晚于今天"),
        ({"category": "parent"}, "category", "选择一个有效的选项"),
    ],
)
def test_a_bad_register_form_names_the_field_in_chinese_and_registers_nothing(
    cast: Cast, overrides: dict[str, str], field: str, message: str
) -> None:
    values = dict(overrides)
    if values.get("region") == "t1":
        values["region"] = str(cast.places.t1.pk)
    if values.get("discovered_on") == "tomorrow":
        values["discovered_on"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    if values.get("category") == "parent":
        values["category"] = str(category("LZJF").pk)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post("/hazards/new/", register_post(cast, **values))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    label = response.context["form"][field].label
    page = response.content.decode()
    # The message is shown inside the field's own label, in Chinese.
    field_html = page.split(f"<label>{label}")[1].split("</label>")[0]
    assert message in field_html
    assert not Hazard.objects.exists()


def test_a_grid_worker_registers_in_their_grid_choosing_among_the_units_above_it(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.by_role[Role.GRID_WORKER])
    form = client.get("/hazards/new/")
    assert form.context["form"]["region"].value() == cast.places.g1.pk
    units = set(form.context["form"].fields["responsible_unit"].queryset)
    assert units == {cast.units.county_bureau, cast.units.t1_station, cast.units.v1_committee}
    assert client.post("/hazards/new/", register_post(cast)).status_code == 302
    assert Hazard.objects.get().registered_by == cast.by_role[Role.GRID_WORKER]


def test_choosing_a_place_lists_the_units_of_that_place_and_above(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    options = client.get(f"/hazards/new/units/?region={cast.places.t1.pk}").content.decode()
    assert "宁州派出所" in options and "华宁县人社局" in options
    assert "右所社区调委会" not in options  # below the township
    assert "盘溪派出所" not in options
    # A place outside the user's scope lists only what they may register anywhere.
    outside = client.get(f"/hazards/new/units/?region={cast.places.g2.pk}").content.decode()
    assert "盘溪派出所" not in outside


@pytest.mark.parametrize("role", [Role.LEADER, Role.CARE_WORKER, Role.ADMINISTRATOR])
def test_who_may_not_register_gets_no_form(cast: Cast, role: Role) -> None:
    client = cast.client_for(cast.by_role[role])
    assert client.get("/hazards/new/").status_code == 403
    assert client.post("/hazards/new/", register_post(cast)).status_code == 403
    assert not Hazard.objects.exists()


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_open_hazards_by_default_with_their_unit_guardian_and_review(
    cast: Cast,
) -> None:
    open_one = registered(cast, title="欠薪苗头甲")
    closed = hazard_in(cast, Status.RESOLVED, title="已化解的乙")
    page = cast.client_for(cast.by_role[Role.INTAKE_OFFICER]).get("/hazards/").content.decode()
    rows = rows_of(page)
    assert "欠薪苗头甲" in rows and "已化解的乙" not in rows
    assert open_one.code in rows
    assert "宁州派出所 · 包保 李明" in rows
    assert f"复查 {open_one.next_review_on:%Y-%m-%d}" in rows
    assert "中风险" in rows
    everything = cast.client_for(cast.by_role[Role.INTAKE_OFFICER]).get("/hazards/?status=all")
    assert closed.code in rows_of(everything.content.decode())


def test_an_overdue_review_is_red_on_the_list_and_can_be_filtered(cast: Cast) -> None:
    late = registered(cast, title="逾期未复查的")
    registered(cast, title="按期的")
    Hazard.objects.filter(pk=late.pk).update(
        next_review_on=timezone.localdate() - timedelta(days=3)
    )
    client = cast.client_for(cast.by_role[Role.GRID_WORKER])
    rows = rows_of(client.get("/hazards/").content.decode())
    late_row = rows.split("逾期未复查的")[0].rsplit("<li", 1)[1] + rows.split("逾期未复查的")[1]
    assert 'data-testid="review-overdue"' in late_row.split("</li>")[0]
    assert rows.count('data-testid="review-overdue"') == 1
    assert rows.index("逾期未复查的") < rows.index("按期的")  # the most pressing first
    only = rows_of(client.get("/hazards/?overdue=1").content.decode())
    assert "逾期未复查的" in only and "按期的" not in only


def test_the_list_filters_by_level_category_place_and_title(cast: Cast) -> None:
    registered(cast, title="欠薪甲", level="high", level_reasons="人多")
    registered(
        cast,
        title="物业乙",
        category=category("FCWY01"),
        region=cast.places.t1,
        responsible_unit=cast.units.t1_station,
    )
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])

    def titles(query: str) -> set[str]:
        rows = rows_of(client.get(f"/hazards/?{query}").content.decode())
        return {t for t in ("欠薪甲", "物业乙") if t in rows}

    assert titles("") == {"欠薪甲", "物业乙"}
    assert titles("level=high") == {"欠薪甲"}
    assert titles(f"category={category('FCWY').pk}") == {"物业乙"}  # a first-level category
    assert titles(f"category={category('LZJF01').pk}") == {"欠薪甲"}
    assert titles(f"region={cast.places.v1.pk}") == {"欠薪甲"}  # the village's subtree
    assert titles(f"region={cast.places.t1.pk}") == {"欠薪甲", "物业乙"}
    assert titles("q=物业") == {"物业乙"}
    assert titles("status=resolved") == set()


def test_the_list_shows_only_what_the_reader_may_see(cast: Cast) -> None:
    mine = registered(cast, title="本镇的")
    theirs = registered(
        cast,
        by=cast.outsider,
        title="外镇的",
        region=cast.places.g2,
        responsible_unit=cast.units.t2_station,
    )
    county_hr = make_user("county_hr", Role.UNIT_HANDLER, unit=cast.units.county_bureau)
    seen = {
        user.username: rows_of(cast.client_for(user).get("/hazards/").content.decode())
        for user in (
            cast.by_role[Role.LEADER],
            cast.by_role[Role.UNIT_HANDLER],
            cast.outsider,
            county_hr,
        )
    }
    assert mine.code in seen["t1_leader"] and theirs.code not in seen["t1_leader"]
    assert mine.code in seen["t1_police"] and theirs.code not in seen["t1_police"]
    assert theirs.code in seen["t2_intake"] and mine.code not in seen["t2_intake"]
    assert mine.code not in seen["county_hr"] and theirs.code not in seen["county_hr"]


def test_a_care_worker_has_no_hazard_pages(cast: Cast) -> None:
    hazard = registered(cast)
    client = cast.client_for(cast.by_role[Role.CARE_WORKER])
    assert client.get("/hazards/").status_code == 403
    assert client.get(f"/hazards/{hazard.pk}/").status_code == 404


def test_the_list_pages_fifty_at_a_time_keeping_the_filters(cast: Cast) -> None:
    for i in range(52):
        registered(cast, title=f"隐患{i:02d}")
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    first = client.get("/hazards/?level=medium").content.decode()
    assert rows_of(first).count('class="case-row') == 50
    assert "?level=medium&amp;page=2" in first
    second = client.get("/hazards/?level=medium&page=2").content.decode()
    assert rows_of(second).count('class="case-row') == 2


@pytest.mark.parametrize("count", [2, 15])
def test_the_list_costs_the_same_queries_however_many_hazards(
    cast: Cast, count: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(count):
        hazard = registered(cast, title=f"隐患{i}", region=[cast.places.g1, cast.places.v1][i % 2])
        services.hazard_add_measure(
            by=cast.by_role[Role.INTAKE_OFFICER],
            hazard=hazard,
            content="约谈",
            owner="李明",
            due_on=timezone.localdate(),
        )
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.get("/hazards/")  # warm the session
    query = f"/hazards/?level=medium&category={category('LZJF').pk}&region={cast.places.t1.pk}"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(query)
    assert rows_of(response.content.decode()).count('class="case-row') == count
    with django_assert_max_num_queries(10):
        client.get(query)
    assert len(queries) <= 10, [q["sql"] for q in queries]


# --- One hazard -------------------------------------------------------------------------


def test_a_hazard_outside_the_readers_places_is_not_found(cast: Cast) -> None:
    hazard = registered(cast)
    client = cast.client_for(cast.outsider)
    assert client.get(f"/hazards/{hazard.pk}/").status_code == 404
    response = client.post(f"/hazards/{hazard.pk}/do/resolve/", {"note": "已化解"})
    assert response.status_code == 404
    hazard.refresh_from_db()
    assert hazard.status == Status.CONTROLLED
    assert cast.client_for(cast.by_role[Role.LEADER]).get("/hazards/99999/").status_code == 404


def test_a_leader_reads_the_hazard_but_is_offered_no_step_and_may_take_none(cast: Cast) -> None:
    hazard = registered(cast)
    client = cast.client_for(cast.by_role[Role.LEADER])
    page = client.get(f"/hazards/{hazard.pk}/")
    assert page.status_code == 200
    assert 'data-testid="actions"' not in page.content.decode()
    response = client.post(f"/hazards/{hazard.pk}/do/resolve/", {"note": "已化解"})
    assert response.status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == Status.CONTROLLED
    assert HazardEvent.objects.filter(hazard=hazard).count() == 1


def test_another_units_handler_reads_nothing_of_it(cast: Cast) -> None:
    hazard = registered(cast)
    county_hr = make_user("county_hr", Role.UNIT_HANDLER, unit=cast.units.county_bureau)
    client = cast.client_for(county_hr)
    assert client.get(f"/hazards/{hazard.pk}/").status_code == 404
    assert client.post(f"/hazards/{hazard.pk}/do/review/", {}).status_code == 404


def test_the_page_offers_the_steps_an_open_hazard_allows(cast: Cast) -> None:
    hazard = registered(cast)
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    for key in ("review", "measure", "reassign", "resolve", "eliminate", "escalate"):
        assert f'data-step="{key}"' in page
    assert 'data-step="measure_done"' not in page  # no measure yet
    services.hazard_add_measure(
        by=cast.by_role[Role.UNIT_HANDLER],
        hazard=hazard,
        content="约谈项目负责人",
        owner="李明",
        due_on=timezone.localdate() + timedelta(days=5),
    )
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-step="measure_done"' in page
    assert "约谈项目负责人" in page.split('data-testid="measures"')[1]
    closed = hazard_in(cast, Status.ELIMINATED)
    page = client.get(f"/hazards/{closed.pk}/").content.decode()
    assert 'data-testid="actions"' not in page
    assert "已消除" in page


def test_a_step_on_a_closed_hazard_is_refused_in_words(cast: Cast) -> None:
    hazard = hazard_in(cast, Status.RESOLVED)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post(
        f"/hazards/{hazard.pk}/do/review/", {"finding": "再看看", "level": "low"}
    )
    assert response.status_code == 400
    assert "隐患已化解，不能复查" in response.content.decode()
    assert not hazard.reviews.exists()


def test_a_review_through_the_page_moves_the_date_and_shows_in_the_timeline(
    cast: Cast,
) -> None:
    hazard = registered(cast)
    client = cast.client_for(cast.by_role[Role.GRID_WORKER])
    response = client.post(
        f"/hazards/{hazard.pk}/do/review/",
        {"finding": "项目方已承诺月底结清", "level": "high", "level_reasons": "承诺未兑现"},
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.level == "high"
    assert hazard.next_review_on == timezone.localdate() + timedelta(days=15)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    timeline = page.split('data-testid="timeline"')[1]
    assert "项目方已承诺月底结清" in timeline
    assert "风险等级：中 → 高" in timeline
    assert "g1_grid" in timeline
    assert timeline.index("登记") < timeline.index("复查")  # oldest first


def test_a_bad_step_form_shows_the_error_by_its_field_and_changes_nothing(cast: Cast) -> None:
    hazard = registered(cast)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        f"/hazards/{hazard.pk}/do/review/",
        {"finding": "稳定", "level": "medium", "next_review_on": yesterday},
    )
    assert response.status_code == 400
    page = response.content.decode()
    review_form = page.split('data-step="review"')[1].split("</details>")[0]
    assert "open" in page.split('data-step="review"')[1].split(">")[0]
    assert "下次复查日期须晚于今天" in review_form
    assert not hazard.reviews.exists()


def test_marking_a_measure_done_through_the_page(cast: Cast) -> None:
    hazard = registered(cast)
    keeper = cast.by_role[Role.UNIT_HANDLER]
    services.hazard_add_measure(
        by=keeper, hazard=hazard, content="约谈", owner="李明", due_on=timezone.localdate()
    )
    measure = hazard.measures.get()
    client = cast.client_for(keeper)
    response = client.post(
        f"/hazards/{hazard.pk}/do/measure_done/", {"measure": measure.pk, "note": "已约谈"}
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.done_on == timezone.localdate()
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "已落实" in page.split('data-testid="measures"')[1]


def test_escalating_through_the_page_leads_to_the_new_case(cast: Cast) -> None:
    hazard = registered(cast)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post(
        f"/hazards/{hazard.pk}/do/escalate/",
        {"applicant_name": "陈建华", "applicant_phone": "13987700001", "note": "聚集讨薪"},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.code}/"
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "已转为事项" in page
    link = page.split('data-testid="case-link"')[1].split("</p>")[0]
    assert f'href="/cases/{case.code}/"' in link


def test_the_page_warns_of_an_overdue_review_and_shows_the_sweeps_warning(cast: Cast) -> None:
    hazard = registered(cast)
    due = timezone.localdate() - timedelta(days=2)
    Hazard.objects.filter(pk=hazard.pk).update(next_review_on=due)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    warning = page.split('data-testid="overdue-warning"')[1].split("</p>")[0]
    assert f"应于 {due:%Y-%m-%d} 复查" in warning
    assert "提醒" not in warning  # the sweep has not run yet
    services.sweep_hazard_reviews(timezone.localdate())
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "已于" in page.split('data-testid="overdue-warning"')[1].split("</p>")[0]
    timeline = page.split('data-testid="timeline"')[1]
    assert "复查逾期提醒" in timeline
    assert "已提醒责任单位：宁州派出所" in timeline
    services.hazard_review(
        by=cast.by_role[Role.INTAKE_OFFICER], hazard=hazard, finding="已复查", level="medium"
    )
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-testid="overdue-warning"' not in page
    assert HazardEvent.objects.filter(hazard=hazard, step=Step.REVIEW_OVERDUE).count() == 1
    # Late again: the earlier date's warning is not this date's.
    Hazard.objects.filter(pk=hazard.pk).update(next_review_on=timezone.localdate() - timedelta(1))
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "已于" not in page.split('data-testid="overdue-warning"')[1].split("</p>")[0]


@pytest.mark.parametrize("steps", [1, 6])
def test_the_hazard_page_costs_the_same_queries_however_long_its_history(
    cast: Cast, steps: int
) -> None:
    hazard = registered(cast)
    keeper = cast.by_role[Role.UNIT_HANDLER]
    for i in range(steps):
        services.hazard_add_measure(
            by=keeper, hazard=hazard, content=f"措施{i}", owner="李明", due_on=timezone.localdate()
        )
        services.hazard_review(by=keeper, hazard=hazard, finding=f"复查{i}", level="medium")
    client = cast.client_for(keeper)
    client.get(f"/hazards/{hazard.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/hazards/{hazard.pk}/")
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"] for q in queries]


def test_a_hazard_found_in_screening_names_and_links_its_report(cast: Cast) -> None:
    from zongzhi.accounts.permissions import SYSTEM
    from zongzhi.screening import services as screening
    from zongzhi.screening.models import ScreeningReport

    today = timezone.localdate()
    round_ = screening.launch_campaign(
        by=SYSTEM,
        title="春节前欠薪专项排查",
        region=cast.places.t1,
        period_start=today,
        period_end=today + timedelta(days=6),
        due_on=today + timedelta(days=9),
        reporters="regions",
        reporter_level=6,
    )
    report = ScreeningReport.objects.get(round=round_, region=cast.places.g1)
    screening.file_report(
        by=cast.by_role[Role.GRID_WORKER],
        report=report,
        findings=[
            screening.Finding(
                kind="hazard",
                category=category(),
                title="工地欠薪苗头",
                description="务工人员反映工资可能拖欠。",
                region=cast.places.g1,
                responsible_unit=cast.units.t1_station,
                guardian_name="李明",
            )
        ],
    )
    hazard = Hazard.objects.get()
    page = cast.client_for(cast.by_role[Role.GRID_WORKER]).get(f"/hazards/{hazard.pk}/")
    source = page.content.decode().split('data-testid="report"')[1].split("</span>")[0]
    assert "春节前欠薪专项排查" in source
    assert f'href="/screening/reports/{report.pk}/"' in source
    # The station's handler keeps the hazard but does not read the grid's report.
    page = cast.client_for(cast.by_role[Role.UNIT_HANDLER]).get(f"/hazards/{hazard.pk}/")
    source = page.content.decode().split('data-testid="report"')[1].split("</span>")[0]
    assert "春节前欠薪专项排查" in source and "href" not in source


def test_the_admin_shows_hazards_but_changes_nothing(cast: Cast) -> None:
    from zongzhi.accounts.models import User

    hazard = registered(cast)
    services.hazard_add_measure(
        by=cast.by_role[Role.INTAKE_OFFICER],
        hazard=hazard,
        content="约谈项目负责人",
        owner="李明",
        due_on=timezone.localdate(),
    )
    admin = User.objects.create_superuser(username="root", password="x-Pass-2026")
    client = cast.client_for(admin)
    listing = client.get("/admin/hazards/hazard/?q=" + hazard.code).content.decode()
    assert hazard.title in listing
    assert "/admin/hazards/hazard/add/" not in listing
    page = client.get(f"/admin/hazards/hazard/{hazard.pk}/change/")
    assert page.status_code == 200
    assert "约谈项目负责人" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    response = client.post(f"/admin/hazards/hazard/{hazard.pk}/change/", {"title": "改名"})
    assert response.status_code == 403
    hazard.refresh_from_db()
    assert hazard.title != "改名"
