"""Rating the result on the portal: the resident's return visit, once per closing."""

from typing import Any

import pytest
from django.test import Client

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast
from zongzhi.portal import rules
from zongzhi.portal.tests.conftest import submitted_case

pytestmark = pytest.mark.django_db


def close(cast: Cast, case: Case) -> Case:
    intake, handler = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.UNIT_HANDLER]
    services.case_accept(by=intake, case=case)
    services.case_dispatch(by=intake, case=case, lead_unit=cast.units.t1_station)
    services.case_start(by=handler, case=case)
    services.case_close(
        by=handler,
        case=case,
        outcome=Case.Outcome.HANDLED,
        note="已处理",
        reply="已责令停止夜间施工",
    )
    return case


def rate(client: Client, case: Case, **fields: str) -> Any:
    return client.post("/portal/track/rate/", {"code": case.code, **fields}, REMOTE_ADDR="10.5.0.1")


@pytest.fixture
def closed_with_phone(cast: Cast) -> Case:
    return close(cast, submitted_case(cast))  # made with phone 13900001111


def test_a_closed_request_offers_the_rating(
    cast: Cast, resident: Client, closed_with_phone: Case
) -> None:
    html = resident.get("/portal/track/", {"code": closed_with_phone.code}).content.decode()
    assert "评价办理结果" in html and "基本满意" in html and "后四位" in html


def test_an_open_request_offers_no_rating_and_refuses_one(cast: Cast, resident: Client) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    html = resident.get("/portal/track/", {"code": case.code}).content.decode()
    assert "评价办理结果" not in html
    response = rate(resident, case, satisfaction="satisfied", phone_tail="0001")
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS
    assert "不能评价" in resident.get(response["Location"]).content.decode()


def test_satisfied_with_the_right_digits_is_the_return_visit(
    resident: Client, closed_with_phone: Case
) -> None:
    response = rate(resident, closed_with_phone, satisfaction="basically", phone_tail="1111")
    assert response.status_code == 302
    case = Case.objects.get(pk=closed_with_phone.pk)
    assert (case.status, case.satisfaction) == (Status.VISITED, "basically")
    visit = CaseEvent.objects.filter(case=case).latest("at", "pk")
    assert (visit.step, visit.actor_name) == (Step.VISIT_SATISFIED, "群众（网上评价）")
    page = resident.get(response["Location"]).content.decode()
    assert "感谢您的评价" in page and "回访：基本满意" in page
    assert "评价办理结果" not in page  # once


def test_a_second_rating_is_refused(resident: Client, closed_with_phone: Case) -> None:
    rate(resident, closed_with_phone, satisfaction="satisfied", phone_tail="1111")
    rate(
        resident, closed_with_phone, satisfaction="unsatisfied", note="改主意了", phone_tail="1111"
    )
    case = Case.objects.get(pk=closed_with_phone.pk)
    assert (case.status, case.satisfaction) == (Status.VISITED, "satisfied")
    assert CaseEvent.objects.filter(case=case, step__startswith="visit").count() == 1


def test_unsatisfied_needs_a_reason_and_reopens_the_case(
    resident: Client, closed_with_phone: Case
) -> None:
    refused = rate(resident, closed_with_phone, satisfaction="unsatisfied", phone_tail="1111")
    assert refused.status_code == 400
    assert "请写明不满意的原因" in refused.content.decode()
    assert Case.objects.get(pk=closed_with_phone.pk).status == Status.CLOSED

    reason = "夜里还在施工，没有人来管"
    assert (
        rate(
            resident, closed_with_phone, satisfaction="unsatisfied", note=reason, phone_tail="1111"
        ).status_code
        == 302
    )
    case = Case.objects.get(pk=closed_with_phone.pk)
    assert case.status == Status.IN_PROGRESS and case.due_on is not None
    visit = CaseEvent.objects.get(case=case, step=Step.VISIT_UNSATISFIED)
    assert visit.note == reason
    html = resident.get("/portal/track/", {"code": case.code}).content.decode()
    assert "回访：不满意，已重新交办理" in html and "办理中" in html


def test_the_code_alone_does_not_rate_a_request_made_with_a_phone(
    resident: Client, closed_with_phone: Case
) -> None:
    missing = rate(resident, closed_with_phone, satisfaction="satisfied")
    wrong = rate(resident, closed_with_phone, satisfaction="satisfied", phone_tail="2222")
    assert missing.status_code == wrong.status_code == 400
    assert "请填写电话号码的后四位数字" in missing.content.decode()
    assert "电话号码后四位不对" in wrong.content.decode()
    assert Case.objects.get(pk=closed_with_phone.pk).status == Status.CLOSED


def test_guessing_the_digits_stops_after_five_wrong_tries(
    resident: Client, closed_with_phone: Case
) -> None:
    for n in range(rules.RATE_TRIES_PER_CASE.count):
        assert (
            rate(
                resident, closed_with_phone, satisfaction="satisfied", phone_tail=f"{n:04d}"
            ).status_code
            == 400
        )
    # Even the right digits wait now.
    blocked = rate(resident, closed_with_phone, satisfaction="satisfied", phone_tail="1111")
    assert blocked.status_code == 429
    assert "输错次数过多" in blocked.content.decode()
    assert Case.objects.get(pk=closed_with_phone.pk).status == Status.CLOSED


def test_an_anonymous_request_is_rated_with_its_code(cast: Cast, resident: Client) -> None:
    case = close(cast, submitted_case(cast, anonymous="on"))
    html = resident.get("/portal/track/", {"code": case.code}).content.decode()
    assert "后四位" not in html
    assert rate(resident, case, satisfaction="satisfied").status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.VISITED


def test_an_open311_request_without_a_phone_is_not_rated_online(
    cast: Cast, resident: Client
) -> None:
    """Open311 publishes the tracking codes of what came through it: the code alone must
    not rate the result."""
    case = case_in(
        cast,
        Status.CLOSED,
        channel=Case.Channel.API,
        parties=[services.NewParty(role="applicant", name="匿名群众")],
    )
    html = resident.get("/portal/track/", {"code": case.code}).content.decode()
    assert "评价办理结果" not in html
    rate(resident, case, satisfaction="satisfied")
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
