"""Following a request with its tracking code: its public progress, and nothing else."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.conftest import Cast
from zongzhi.portal import rules
from zongzhi.portal.tests.conftest import PHONE, submitted_case

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "内部备注：当事人情绪激动，已请民警留意"
SESSION_RECORD = "调解记录：双方在村委会会议室各自陈述"
SESSION_PEOPLE = "赵调解员、钱调解员"
ORDER_TEXT = "督办令：此事拖延过久，请三日内办结"
CLOSE_NOTE = "办结情况（内部）：对装修户进行了批评教育"
REPLY = "经调解，楼上住户承诺晚上八点后不再施工。"
RESPONDENT_PHONE = "13700009999"


def track(client: Client, code: str, ip: str = "10.2.0.1") -> Any:
    return client.get("/portal/track/", {"code": code}, REMOTE_ADDR=ip)


def walk_to_closed(cast: Cast, case: Case) -> Case:
    """The resident's case worked through by the centre and a mediation committee, with
    everything the public must not see written along the way."""
    intake = cast.by_role[Role.INTAKE_OFFICER]
    mediator = cast.by_role[Role.MEDIATOR]
    services.case_accept(by=intake, case=case)
    services.case_dispatch(by=intake, case=case, lead_unit=cast.units.v1_committee)
    services.case_start(by=mediator, case=case)
    services.case_record_progress(by=mediator, case=case, note=INTERNAL_NOTE)
    services.case_record_session(
        by=mediator,
        case=case,
        held_on=timezone.localdate(),
        place="右所社区调解室",
        mediators=SESSION_PEOPLE,
        parties_present=f"王芳；装修户孙某（{RESPONDENT_PHONE}）",
        record=SESSION_RECORD,
    )
    services.case_supervise(by=cast.by_role[Role.LEADER], case=case, text=ORDER_TEXT)
    services.case_close(
        by=mediator, case=case, outcome=Case.Outcome.MEDIATED, note=CLOSE_NOTE, reply=REPLY
    )
    return case


def test_the_portal_shows_a_resident_nothing_beyond_their_own_requests_public_progress(
    cast: Cast, resident: Client
) -> None:
    mine = walk_to_closed(cast, submitted_case(cast))
    # Someone else's request, in the same village, made at the counter.
    theirs = registered(cast)
    other_words = Case.objects.get(pk=theirs.pk).description

    html = track(resident, mine.code).content.decode()

    # What the resident should see: their status, category, dates, the public steps, the reply.
    assert "已办结，等待回访" in html
    assert "邻里纠纷" in html
    assert REPLY in html
    assert "已交由右所社区调委会办理" in html
    assert "已办结：调解成功" in html
    # Nothing internal, nobody's contact, nothing of another case.
    for secret in [
        INTERNAL_NOTE,
        SESSION_RECORD,
        SESSION_PEOPLE,
        "右所社区调解室",
        RESPONDENT_PHONE,
        ORDER_TEXT,
        CLOSE_NOTE,
        PHONE,  # even the resident's own number is not printed back
        "王芳",
        theirs.code,
        other_words,
        "张三",
        "13800000001",
        "李四",
        "t1_intake",
        "v1_mediator",
        "群众（网上）",  # who acted on the timeline is internal too
    ]:
        assert secret not in html, secret


def test_a_code_is_found_however_it_was_typed(cast: Cast, resident: Client) -> None:
    case = registered(cast)
    typed = case.code.lower().replace("-", "－ ")
    response = track(resident, typed)
    assert response.status_code == 200
    assert case.code in response.content.decode()


def test_an_unknown_code_says_so_plainly(cast: Cast, resident: Client) -> None:
    response = track(resident, "250101-ZZZZZZ")
    assert response.status_code == 404
    assert "没有找到这个查询码" in response.content.decode()


def test_lookups_are_limited_per_network_whether_the_code_exists_or_not(
    cast: Cast, resident: Client
) -> None:
    case = registered(cast)
    for n in range(rules.LOOKUP_PER_IP.count):
        track(resident, f"250101-GUESS{n % 10}", ip="10.3.0.1")
    refused_real = track(resident, case.code, ip="10.3.0.1")
    refused_guess = track(resident, "250101-GUESS9", ip="10.3.0.1")
    assert refused_real.status_code == refused_guess.status_code == 429
    assert refused_real["Retry-After"]
    assert "查询过于频繁" in refused_real.content.decode()
    # The refusal is the same page for a real code and a guess: no progress shown.
    assert 'data-testid="progress"' not in refused_real.content.decode()
    assert "已登记" not in refused_real.content.decode()
    # Another network still gets its answer.
    assert track(resident, case.code, ip="10.3.0.2").status_code == 200


def test_a_merged_request_says_so_with_the_other_cases_status_and_not_its_code(
    cast: Cast, resident: Client
) -> None:
    mine = case_in(cast, Status.REGISTERED)
    survivor = case_in(cast, Status.IN_PROGRESS)
    services.case_merge(by=cast.by_role[Role.INTAKE_OFFICER], case=mine, into=survivor)
    html = track(resident, mine.code).content.decode()
    assert "合并办理" in html
    assert "合并后的办理状态：<strong>办理中</strong>" in html
    assert survivor.code not in html


def test_a_rejected_request_gives_the_reason(cast: Cast, resident: Client) -> None:
    case = case_in(cast, Status.REJECTED)
    html = track(resident, case.code).content.decode()
    assert "不予受理" in html and "不属于受理范围" in html


def test_the_tracking_page_takes_the_same_queries_however_long_the_timeline(
    cast: Cast, resident: Client, django_assert_num_queries: Any
) -> None:
    short = case_in(cast, Status.IN_PROGRESS)
    long = case_in(cast, Status.IN_PROGRESS)
    handler = cast.by_role[Role.UNIT_HANDLER]
    for n in range(15):
        services.case_record_progress(by=handler, case=long, note=f"进展{n}")
    track(resident, short.code)  # warm the session and the counter row
    with django_assert_num_queries(7) as short_queries:
        assert track(resident, short.code).status_code == 200
    with django_assert_num_queries(len(short_queries.captured_queries)):
        assert track(resident, long.code).status_code == 200


def test_the_confirmation_page_cannot_be_used_to_probe_codes(cast: Cast, resident: Client) -> None:
    case = registered(cast)
    response = resident.get("/portal/submitted/", {"t": case.code})
    assert response.status_code == 302
    assert case.code not in response.content.decode()


def test_the_counters_forget_old_lookups(cast: Cast, resident: Client) -> None:
    track(resident, "250101-ZZZZZZ", ip="10.4.0.1")
    from zongzhi.portal import services as portal

    assert portal.purge_throttles(timezone.now() + rules.LOOKUP_PER_IP.window + timedelta(1)) == 1


def test_a_resident_switches_language_and_stays_on_the_portal(resident: Client) -> None:
    response = resident.post("/i18n/setlang/", {"language": "en", "next": "/portal/track/"})
    assert response.status_code == 302 and response["Location"] == "/portal/track/"
    html = resident.get("/portal/track/").content.decode()
    # The brand leads back to the portal, not to the staff login.
    assert 'href="/portal/" class="brand"' in html
