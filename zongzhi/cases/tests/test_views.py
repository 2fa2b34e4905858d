"""The case pages as each role uses them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, category
from zongzhi.conftest import Cast

# `make test` runs this on SQLite too (-m sqlite): work lists filter, search and sort in SQL.
pytestmark = pytest.mark.sqlite


def intake_post(cast: Cast, **overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": "form-key-1",
        "channel": "visit",
        "category": str(category().pk),
        "title": "邻里排水纠纷",
        "description": "雨季排水冲到邻居院内。",
        "region": str(cast.places.g1.pk),
        "address": "右所社区3组",
        "applicant_name": "王五",
        "applicant_phone": "13900000000",
        "respondent_name": "赵六",
        "people_count": "2",
        "risk_level": "low",
    }
    data.update(overrides)
    return data


def test_the_intake_form_sent_again_with_another_title_registers_nothing_new(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    first = client.post("/cases/new/", intake_post(cast))
    again = client.post("/cases/new/", intake_post(cast))
    assert first.status_code == again.status_code == 302  # the same form: its case
    changed = client.post("/cases/new/", intake_post(cast, title="另一起噪音纠纷"))
    assert changed.status_code == 200
    html = changed.content.decode()
    assert "本次提交的内容与之不同" in html and "另一起噪音纠纷" in html
    assert 'value="form-key-1"' not in html
    assert Case.objects.count() == 1


def test_an_intake_officer_registers_a_case_and_lands_on_its_page(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post("/cases/new/", intake_post(cast))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.code}/"
    page = client.get(response["Location"]).content.decode()
    assert "邻里排水纠纷" in page
    assert "受理" in page  # the next step is offered


def test_sending_the_intake_form_twice_creates_one_case(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.post("/cases/new/", intake_post(cast))
    client.post("/cases/new/", intake_post(cast))
    assert Case.objects.count() == 1


def test_a_bad_intake_form_names_the_field_in_chinese_and_creates_nothing(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post(
        "/cases/new/", intake_post(cast, risk_level="high", risk_reasons="", title="")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" in page or "此字段是必填项" in page
    assert Case.objects.count() == 0


def test_high_risk_without_reasons_is_refused_with_the_reason_field_named(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post("/cases/new/", intake_post(cast, risk_level="high"))
    assert "风险等级为高或重大时须写明原因" in response.content.decode()
    assert Case.objects.count() == 0


def test_a_grid_worker_reports_from_their_grid(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.GRID_WORKER])
    form = client.get("/cases/new/").content.decode()
    assert "网格员上报" in form
    response = client.post("/cases/new/", intake_post(cast, channel="grid"))
    assert response.status_code == 302
    assert Case.objects.get().channel == "grid"


def test_a_care_worker_cannot_open_the_case_pages(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    client = cast.client_for(cast.by_role[Role.CARE_WORKER])
    assert client.get(f"/cases/{case.code}/").status_code == 404
    assert case.code not in client.get("/cases/?view=all").content.decode()


def test_a_case_outside_the_township_is_not_found(cast: Cast) -> None:
    case = case_in(cast, Status.REGISTERED)
    client = cast.client_for(cast.outsider)
    assert client.get(f"/cases/{case.code}/").status_code == 404
    response = client.post(f"/cases/{case.code}/do/accept/", {"note": ""})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_the_case_page_offers_only_the_steps_this_user_may_take_now(cast: Cast) -> None:
    case = case_in(cast, Status.DISPATCHED)
    handler_page = cast.client_for(cast.by_role[Role.UNIT_HANDLER]).get(f"/cases/{case.code}/")
    offered = handler_page.content.decode()
    assert 'data-step="start"' in offered
    assert 'data-step="return"' in offered
    assert 'data-step="dispatch"' not in offered
    leader_page = cast.client_for(cast.by_role[Role.LEADER]).get(f"/cases/{case.code}/")
    assert 'data-step="start"' not in leader_page.content.decode()
    assert 'data-step="supervise"' in leader_page.content.decode()


def test_a_refused_step_shows_the_reason_and_changes_nothing(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    response = client.post(f"/cases/{case.code}/do/close/", {"outcome": "mediated", "note": ""})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_step_through_the_page_moves_the_case_and_adds_a_timeline_entry(cast: Cast) -> None:
    case = case_in(cast, Status.REGISTERED)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post(f"/cases/{case.code}/do/accept/", {"note": "材料齐全"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert "材料齐全" in client.get(f"/cases/{case.code}/").content.decode()


def test_a_merged_case_redirects_to_the_case_it_was_merged_into(cast: Cast) -> None:
    case = case_in(cast, Status.MERGED)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.get(f"/cases/{case.code}/")
    assert response.status_code == 302
    assert case.merged_into is not None
    assert response["Location"] == f"/cases/{case.merged_into.code}/"


def test_the_leader_sees_overdue_cases_on_the_supervision_list(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    Case.objects.filter(pk=case.pk).update(due_on="2020-01-02")
    page = cast.client_for(cast.by_role[Role.LEADER]).get("/cases/supervision/")
    assert page.status_code == 200
    assert case.code in page.content.decode()
    assert (
        cast.client_for(cast.by_role[Role.UNIT_HANDLER]).get("/cases/supervision/").status_code
        == 403
    )


@pytest.mark.parametrize("count", [3, 12])
def test_the_work_list_costs_the_same_queries_however_many_cases(cast: Cast, count: int) -> None:
    for _ in range(count):
        case_in(cast, Status.REGISTERED)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.get("/cases/")  # warm the session and the calendar
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/?view=all")
    assert response.content.decode().count('class="case-row') == count
    # The page's ids, then its cases (selectors.case_page): one query more than reading
    # the page's rows directly, and none per row; and the filters' options (the units in
    # scope, the categories): one query each.
    assert len(queries) <= 11, [q["sql"] for q in queries]  # 疑似重复 comes with the rows


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_case_page_costs_the_same_queries_however_long_its_history(
    cast: Cast, sessions: int
) -> None:
    from zongzhi.cases import services

    case = case_in(cast, Status.IN_PROGRESS)
    for _ in range(sessions):
        services.case_record_progress(by=cast.by_role[Role.UNIT_HANDLER], case=case, note="走访")
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    client.get(f"/cases/{case.code}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{case.code}/")
    assert response.status_code == 200
    assert len(queries) <= 19, [q["sql"] for q in queries]  # +1: 类案参考


def test_a_point_from_the_phone_places_the_case_in_its_grid(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    # The village is chosen; the point lies inside grid g1 (square from 102.9, 24.2).
    post = intake_post(cast, region=str(cast.places.v1.pk), lng="102.905", lat="24.205")
    assert client.post("/cases/new/", post).status_code == 302
    assert Case.objects.get().region == cast.places.g1


def test_a_review_names_the_decision_it_reviews_and_is_refused_without_one(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post(
        "/cases/new/", intake_post(cast, channel="petition", petition_stage="review")
    )
    assert "请选择要复查的信访事项" in response.content.decode()
    assert Case.objects.count() == 0


def test_the_home_page_counts_my_work_and_what_is_late(cast: Cast) -> None:
    late = case_in(cast, Status.DISPATCHED)
    case_in(cast, Status.DISPATCHED)
    Case.objects.filter(pk=late.pk).update(due_on="2020-01-02")
    page = cast.client_for(cast.by_role[Role.UNIT_HANDLER]).get("/")
    work = page.content.decode().split('data-testid="work"')[1].split("</section>")[0]
    assert '<span class="n">2</span>' in work
    assert '<span class="n">1</span>' in work


def test_the_supervision_list_shows_cases_near_their_deadline(cast: Cast) -> None:
    from django.utils import timezone

    case = case_in(cast, Status.IN_PROGRESS)
    Case.objects.filter(pk=case.pk).update(due_on=timezone.localdate())
    page = cast.client_for(cast.by_role[Role.LEADER]).get("/cases/supervision/")
    near = page.content.decode().split('data-testid="near"')[1].split("</ul>")[0]
    assert case.code in near


def test_a_paused_case_past_its_old_date_is_not_on_the_leaders_list_as_late(cast: Cast) -> None:
    from zongzhi.cases import services

    case = case_in(cast, Status.IN_PROGRESS)
    services.case_pause(
        by=cast.by_role[Role.UNIT_HANDLER], case=case, reason="hearing", until=date(2099, 1, 1)
    )
    Case.objects.filter(pk=case.pk).update(due_on="2020-01-02")
    todo = cast.client_for(cast.by_role[Role.LEADER]).get("/cases/").content.decode()
    assert case.code not in todo
