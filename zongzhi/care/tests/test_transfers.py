"""Transfers (双列管) through the pages, with both sides' views at every step: proposing,
the lists, accepting with a new team, declining with a reason, the escalation of an
unanswered transfer, and the report per place.

Time: freezegun is not installed. The escalation runs `services.sweep_care(now)` with a
`now` past the answer deadline; every date below comes from the services (today).
"""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.care import rules, selectors, services
from zongzhi.care.models import (
    CareAccess,
    CareAlert,
    CareAssessment,
    CareFile,
    CareTransfer,
    CareVisit,
)
from zongzhi.care.services import Member
from zongzhi.care.tests.conftest import CareCast, open_file
from zongzhi.conftest import make_user
from zongzhi.regions.models import Region

# How care:index marks a file waiting for the receiving place: on the sending side, and
# on the receiving side.
GOING = 'data-testid="in-transfer"'
COMING = 'data-testid="incoming"'


def person_id(n: int) -> str:
    """A valid identity number of 华宁县, different for each `n` (< 100)."""
    born = date(1982, 1, 1) + timedelta(days=n)
    return rules.with_check_digit(f"530424{born:%Y%m%d}123")


def client(care: CareCast, user: Any) -> Client:
    return care.cast.client_for(user)


def page(care: CareCast, user: Any, name: str, *args: Any, query: str = "") -> str:
    response = client(care, user).get(reverse(name, args=args) + query)
    assert response.status_code == 200, (user.username, name, response.status_code)
    return response.content.decode()


def status_of(care: CareCast, user: Any, name: str, *args: Any) -> int:
    return int(client(care, user).get(reverse(name, args=args)).status_code)


def propose(
    care: CareCast, by: Any, file: CareFile, to: Region, *, reason: str = "随女儿迁居", **extra: str
) -> Any:
    return client(care, by).post(
        reverse("care:transfer_new", args=[file.code]),
        {"to_region": str(to.pk), "reason": reason, "new_address": "", **extra},
    )


def answer(care: CareCast, by: Any, transfer: CareTransfer, **data: Any) -> Any:
    return client(care, by).post(reverse("care:transfer", args=[transfer.pk]), data)


def pending_of(file: CareFile) -> CareTransfer:
    return CareTransfer.objects.get(file=file, status=CareTransfer.Status.PENDING)


def transfer_reads(user: Any, file: CareFile) -> int:
    return CareAccess.objects.filter(user=user, file=file, what=CareAccess.What.TRANSFER).count()


# --- Accepted ---------------------------------------------------------------------------


def test_a_transfer_accepted_with_both_sides_views_at_each_step(care: CareCast) -> None:
    p = care.cast.places
    # An ordinary programme (no stated purpose before the visits show), with a history.
    file = open_file(
        care.worker,
        p.v1,
        programme="homeless",
        level="medium",
        level_reasons=["ill"],
        identity_number=person_id(1),
        person_name="王德顺",
        guardian_name="",
    )
    services.care_file_record_visit(
        by=care.worker,
        file=file,
        visited_on=timezone.localdate(),
        method="home",
        seen="腿伤已愈，住在亲戚家",
    )
    services.care_file_assess(by=care.worker, file=file, level="low", reasons=["sheltered"])
    sending_list = page(care, care.worker, "care:index")
    assert file.code in sending_list and GOING not in sending_list
    assert file.code not in page(care, care.supervisor2, "care:index")

    # The sending lead proposes: the form offers the county's villages and grids.
    form = page(care, care.worker, "care:transfer_new", file.code)
    assert p.v2.name in form and p.g2.name in form and p.t2.name in form
    response = propose(care, care.worker, file, p.v2, new_address="大龙潭村5组8号")
    transfer = pending_of(file)
    assert response.status_code == 302
    assert response["Location"] == reverse("care:transfer", args=[transfer.pk])
    assert transfer.person_name == "王德顺" and transfer.to_region == p.v2

    # Both places list the file, marked in transfer (双列管).
    now_sending = page(care, care.worker, "care:index")
    assert file.code in now_sending and GOING in now_sending
    receiving_sup_list = page(care, care.supervisor2, "care:index")
    assert file.code in receiving_sup_list and COMING in receiving_sup_list
    # The receiving supervisor may open the whole file before answering.
    assert status_of(care, care.supervisor2, "care:detail", file.code) == 200
    sup_view = page(care, care.supervisor2, "care:transfer", transfer.pk)
    assert reverse("care:detail", args=[file.code]) in sup_view
    # The receiving care worker sees it waiting in 转入, not the file itself.
    incoming = page(care, care.worker2, "care:transfers", query="?tab=in")
    assert "王德顺" in incoming and "待接收" in incoming
    assert f"{transfer.answer_due_on:%Y-%m-%d}" in incoming
    assert status_of(care, care.worker2, "care:detail", file.code) == 404
    worker2_view = page(care, care.worker2, "care:transfer", transfer.pk)
    assert "大龙潭村5组8号" in worker2_view and "随女儿迁居" in worker2_view
    assert 'data-testid="accept-form"' in worker2_view
    assert reverse("care:detail", args=[file.code]) not in worker2_view
    assert "腿伤已愈" not in worker2_view
    # The sending side sees it going out, still keeps the file, and cannot answer.
    outgoing = page(care, care.worker, "care:transfers", query="?tab=out")
    assert "王德顺" in outgoing and "待接收" in outgoing
    assert status_of(care, care.worker, "care:detail", file.code) == 200
    assert 'data-testid="accept-form"' not in page(care, care.worker, "care:transfer", transfer.pk)
    assert answer(care, care.supervisor, transfer, action="accept").status_code == 403
    # Each showing of the transfer page is a logged read of the transfer.
    assert transfer_reads(care.worker2, file) == 1
    assert transfer_reads(care.supervisor2, file) == 1

    # The receiving care worker accepts, leading the new team.
    response = answer(care, care.worker2, transfer, action="accept", lead=str(care.worker2.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("care:detail", args=[file.code])
    file.refresh_from_db()
    assert file.region == p.v2 and not file.in_transfer and file.address == "大龙潭村5组8号"
    # Everything recorded before moved with the file, and the new team reads it.
    assert CareVisit.objects.filter(file=file).count() == 1
    assert CareAssessment.objects.filter(file=file).count() == 2
    receiving_file = page(care, care.worker2, "care:detail", file.code)
    assert "腿伤已愈" in receiving_file
    assert file.code in page(care, care.worker2, "care:index")
    # The sending team no longer reads it, but still sees the transfer as accepted.
    assert status_of(care, care.worker, "care:detail", file.code) == 404
    assert status_of(care, care.supervisor, "care:detail", file.code) == 404
    assert file.code not in page(care, care.worker, "care:index")
    outgoing = page(care, care.worker, "care:transfers", query="?tab=out")
    assert "王德顺" in outgoing and "已接收" in outgoing
    assert "已接收" in page(care, care.worker, "care:transfer", transfer.pk)
    assert "已接收" in page(care, care.worker2, "care:transfers", query="?tab=in")

    # An answered transfer is not answered again.
    c = client(care, care.worker2)
    again = c.post(
        reverse("care:transfer", args=[transfer.pk]), {"action": "decline", "reason": "再退回"}
    )
    assert again.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == CareTransfer.Status.ACCEPTED and transfer.decline_reason == ""
    assert "该转移已答复，不能再次答复" in c.get(again["Location"]).content.decode()


def test_the_accepting_form_offers_the_receiving_places_care_workers_answerer_first(
    care: CareCast,
) -> None:
    p = care.cast.places
    propose(care, care.worker, care.file, p.v2)
    transfer = pending_of(care.file)
    other = make_user("v2_care_b", Role.CARE_WORKER, region=p.v2)
    candidates = set(selectors.receiving_candidates(transfer))
    assert {care.worker2, other, care.supervisor2, care.county_supervisor} <= candidates
    assert care.worker not in candidates and care.supervisor not in candidates
    view = page(care, care.supervisor2, "care:transfer", transfer.pk)
    assert f'<option value="{care.supervisor2.pk}" selected>' in view
    assert f'<option value="{care.worker.pk}"' not in view
    # The supervisor accepts and names a care worker of the village as lead.
    response = answer(care, care.supervisor2, transfer, action="accept", lead=str(other.pk))
    assert response.status_code == 302
    lead = care.file.team.get(active=True, duty="lead")
    assert lead.user == other
    # A lead from the sending place is refused by the form: nothing changes.
    propose(care, other, care.file, p.g1)
    back = pending_of(care.file)
    refused = answer(care, care.worker, back, action="accept", lead=str(other.pk))
    assert refused.status_code == 400
    assert "请从列表中选择包保责任人" in refused.content.decode()
    assert pending_of(care.file) == back


@pytest.mark.parametrize(
    ("level", "visited_days_ago", "overdue_by", "expected_days"),
    [
        # Due in 7 days (level 3, weekly), sooner than the 14-day first visit: stays.
        ("3", 0, None, 7),
        # Due in 90 days (level 0): the receiving side owes its first visit within 14.
        ("0", 0, None, 14),
        # Already overdue: due today at the receiving place.
        ("3", 0, 5, 0),
    ],
)
def test_the_schedule_moves_with_the_file_and_a_first_visit_is_owed(
    care: CareCast,
    level: str,
    visited_days_ago: int,
    overdue_by: int | None,
    expected_days: int,
) -> None:
    p = care.cast.places
    today = timezone.localdate()
    file = care.file
    services.care_file_assess(by=care.worker, file=file, level=level, reasons=["relapse"])
    services.care_file_record_visit(
        by=care.worker,
        file=file,
        visited_on=today - timedelta(days=visited_days_ago),
        method="phone",
        seen="情况稳定",
    )
    if overdue_by is not None:
        # No clock control here: the overdue date is set directly on the test data.
        CareFile.objects.filter(pk=file.pk).update(
            next_visit_due=today - timedelta(days=overdue_by)
        )
    file.refresh_from_db()
    before = file.next_visit_due
    assert before is not None
    first = today + timedelta(days=file.prog.rules_on(today).first_visit_days)
    assert first == today + timedelta(days=14)
    propose(care, care.worker, file, p.v2)
    answer(care, care.worker2, pending_of(file), action="accept", lead=str(care.worker2.pk))
    file.refresh_from_db()
    assert file.next_visit_due == today + timedelta(days=expected_days)
    assert file.next_visit_due == min(max(before, today), first)


# --- Declined ---------------------------------------------------------------------------


def test_a_transfer_declined_stays_with_the_sending_team_which_sees_why(care: CareCast) -> None:
    p = care.cast.places
    file = care.file
    propose(care, care.worker, file, p.v2)
    transfer = pending_of(file)
    assert GOING in page(care, care.worker, "care:index")
    assert COMING in page(care, care.supervisor2, "care:index")

    # A decline needs a reason: nothing changes without one.
    response = answer(care, care.worker2, transfer, action="decline", reason="  ")
    assert response.status_code == 400
    assert "请填写退回理由" in response.content.decode()
    assert pending_of(file) == transfer

    response = answer(
        care, care.worker2, transfer, action="decline", reason="经核实本人未在本村居住"
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    file.refresh_from_db()
    assert transfer.status == CareTransfer.Status.DECLINED
    assert file.region == p.v1 and not file.in_transfer
    # The file stays with the sending team, no longer marked in transfer.
    assert status_of(care, care.worker, "care:detail", file.code) == 200
    after_list = page(care, care.worker, "care:index")
    assert file.code in after_list and GOING not in after_list
    assert file.team.get(active=True, duty="lead").user == care.worker
    # The receiving place no longer lists or reads it; both see the decline.
    assert status_of(care, care.supervisor2, "care:detail", file.code) == 404
    assert file.code not in page(care, care.supervisor2, "care:index")
    outgoing = page(care, care.worker, "care:transfers", query="?tab=out")
    assert "已退回" in outgoing and "经核实本人未在本村居住" in outgoing
    sending_view = page(care, care.worker, "care:transfer", transfer.pk)
    assert "经核实本人未在本村居住" in sending_view
    incoming = page(care, care.worker2, "care:transfers", query="?tab=in")
    assert "已退回" in incoming
    receiving_view = page(care, care.worker2, "care:transfer", transfer.pk)
    assert "已退回" in receiving_view and 'data-testid="accept-form"' not in receiving_view
    # Answered once: accepting now changes nothing.
    answer(care, care.worker2, transfer, action="accept", lead=str(care.worker2.pk))
    file.refresh_from_db()
    assert file.region == p.v1
    # After a decline the sending place may propose again.
    assert propose(care, care.worker, file, p.g2).status_code == 302
    assert pending_of(file).to_region == p.g2


# --- Escalation -------------------------------------------------------------------------


def test_an_unanswered_transfer_goes_to_the_receiving_supervisor_once_and_clears_on_answer(
    care: CareCast,
) -> None:
    p = care.cast.places
    file = care.file
    propose(care, care.worker, file, p.v2)
    transfer = pending_of(file)
    in_time = timezone.now() + timedelta(days=file.prog.transfer_answer_days)
    assert services.sweep_care(in_time).transfers_escalated == 0
    late = timezone.now() + timedelta(days=file.prog.transfer_answer_days + 1)
    assert services.sweep_care(late).transfers_escalated == 1
    assert services.sweep_care(late).transfers_escalated == 0
    alerts = CareAlert.objects.filter(file=file, kind=CareAlert.Kind.TRANSFER_UNANSWERED)
    assert alerts.count() == 1
    alert = alerts.get()
    assert alert.to_supervisors and alert.region_prefix == p.v2.prefix
    assert list(selectors.escalated_alerts(care.supervisor2)) == [alert]
    assert not selectors.escalated_alerts(care.worker2).exists()
    # Both the list and the page say so.
    assert "已提请督导" in page(care, care.supervisor2, "care:transfers")
    assert "已提请督导" in page(care, care.worker2, "care:transfer", transfer.pk)
    # The supervisor answers: the alert is cleared.
    answer(care, care.supervisor2, transfer, action="accept", lead=str(care.worker2.pk))
    alert.refresh_from_db()
    assert alert.cleared_at is not None
    assert not selectors.escalated_alerts(care.supervisor2).exists()
    assert "已提请督导" not in page(care, care.supervisor2, "care:transfers")


# --- Who may ---------------------------------------------------------------------------


def test_outside_both_places_the_transfer_page_does_not_exist(care: CareCast) -> None:
    p = care.cast.places
    propose(care, care.worker, care.file, p.v2)
    transfer = pending_of(care.file)
    others = [
        user
        for role, user in care.cast.by_role.items()
        if role not in (Role.CARE_WORKER, Role.CARE_SUPERVISOR)
    ]
    g1_care = make_user("g1_care", Role.CARE_WORKER, region=p.g1)
    for user in [*others, care.cast.outsider, g1_care]:
        assert status_of(care, user, "care:transfer", transfer.pk) == 404, user.username
        refused = answer(care, user, transfer, action="accept", lead=str(user.pk))
        assert refused.status_code == 404, user.username
        assert transfer_reads(user, care.file) == 0
    for user in [*others, care.cast.outsider]:
        assert status_of(care, user, "care:transfers") == 403, user.username
        assert status_of(care, user, "care:transfer_report") == 403, user.username
    assert pending_of(care.file) == transfer


def test_only_the_lead_or_a_supervisor_proposes_a_transfer(care: CareCast) -> None:
    p = care.cast.places
    member = make_user("v1_care_b", Role.CARE_WORKER, region=p.v1)
    services.care_file_add_member(
        by=care.worker, file=care.file, member=Member(duty="grid_worker", user=member)
    )
    assert status_of(care, member, "care:transfer_new", care.file.code) == 403
    assert propose(care, member, care.file, p.v2).status_code == 403
    # Someone who cannot read the file does not find it.
    assert status_of(care, care.worker2, "care:transfer_new", care.file.code) == 404
    assert not CareTransfer.objects.exists()
    # The place's supervisor may.
    assert propose(care, care.supervisor, care.file, p.v2).status_code == 302


def test_a_bad_proposal_names_the_field_in_chinese_and_creates_nothing(care: CareCast) -> None:
    p = care.cast.places
    response = client(care, care.worker).post(
        reverse("care:transfer_new", args=[care.file.code]), {"to_region": "", "reason": ""}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "请选择转入地" in body and "请填写转移原因" in body
    # The file's own village is not offered (a move inside it is a change of address).
    own = propose(care, care.worker, care.file, p.g1)
    assert own.status_code == 400 and "请从列表中选择转入地" in own.content.decode()
    assert not CareTransfer.objects.exists()
    care.file.refresh_from_db()
    assert not care.file.in_transfer


def test_a_transfer_is_not_proposed_twice_while_one_waits(care: CareCast) -> None:
    p = care.cast.places
    assert propose(care, care.worker, care.file, p.v2).status_code == 302
    again = propose(care, care.worker, care.file, p.g2)
    assert again.status_code == 400
    assert "该档案已有待接收的转移" in again.content.decode()
    assert CareTransfer.objects.filter(file=care.file).count() == 1
    form = page(care, care.worker, "care:transfer_new", care.file.code)
    assert 'data-testid="pending"' in form and 'data-testid="transfer-form"' not in form


# --- Lists and the report ---------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_the_transfer_lists_cost_the_same_queries_however_many(
    care: CareCast, count: int, django_assert_max_num_queries: Any
) -> None:
    p = care.cast.places
    for n in range(count):
        f = open_file(care.worker, p.v1, identity_number=person_id(n), person_name=f"张{n}")
        services.care_file_propose_transfer(by=care.worker, file=f, to_region=p.v2, reason="迁居")
    for user, tab in [(care.worker2, "in"), (care.worker, "out")]:
        c = client(care, user)
        with django_assert_max_num_queries(7):
            response = c.get(reverse("care:transfers") + f"?tab={tab}")
        assert response.content.decode().count('class="case-row transfer-row"') == count
    c = client(care, care.county_supervisor)
    with django_assert_max_num_queries(11):
        response = c.get(reverse("care:transfer_report"))
    assert response.status_code == 200


def test_the_incoming_list_puts_waiting_transfers_first(care: CareCast) -> None:
    p = care.cast.places
    first = open_file(care.worker, p.v1, identity_number=person_id(1), person_name="赵一")
    second = open_file(care.worker, p.v1, identity_number=person_id(2), person_name="钱二")
    services.care_file_propose_transfer(by=care.worker, file=first, to_region=p.v2, reason="迁居")
    t2 = services.care_file_propose_transfer(
        by=care.worker, file=second, to_region=p.v2, reason="迁居"
    )
    services.care_file_decline_transfer(by=care.worker2, transfer=t2, reason="查无此人")
    # The declined one was proposed later; the waiting one still comes first.
    incoming = page(care, care.worker2, "care:transfers")
    assert incoming.index("赵一") < incoming.index("钱二")


def _row(report: str, region: Region) -> list[int]:
    start = report.index(f'data-testid="row-{region.code}"')
    cells = report[start : report.index("</tr>", start)].split('class="num">')[1:]
    return [int(c.split("<", 1)[0]) for c in cells]


def _totals(report: str) -> list[int]:
    start = report.index('data-testid="totals"')
    cells = report[start : report.index("</tr>", start)].split('class="num">')[1:]
    return [int(c.split("<", 1)[0]) for c in cells]


def test_the_report_counts_transfers_in_and_out_per_place(care: CareCast) -> None:
    p = care.cast.places
    a = open_file(care.worker, p.v1, identity_number=person_id(1))
    b = open_file(care.worker, p.v1, identity_number=person_id(2))
    c = open_file(care.worker2, p.v2, identity_number=person_id(3))
    ta = services.care_file_propose_transfer(by=care.worker, file=a, to_region=p.v2, reason="迁居")
    services.care_file_accept_transfer(by=care.worker2, transfer=ta)
    tb = services.care_file_propose_transfer(by=care.worker, file=b, to_region=p.g2, reason="迁居")
    services.care_file_decline_transfer(by=care.worker2, transfer=tb, reason="未在本村居住")
    services.care_file_propose_transfer(by=care.worker2, file=c, to_region=p.g1, reason="迁居")

    # The county supervisor opens on the county: a row per township, and the totals.
    county = page(care, care.county_supervisor, "care:transfer_report")
    # Columns: in, out, accepted in, declined in, pending in.
    assert _row(county, p.t1) == [1, 2, 0, 0, 1]
    assert _row(county, p.t2) == [2, 1, 1, 1, 0]
    assert _totals(county) == [3, 3, 1, 1, 1]
    assert f"?region={p.t1.code}" in county  # each township opens its own report
    # The township supervisor opens on the township: its villages.
    township = page(care, care.supervisor, "care:transfer_report")
    assert _row(township, p.v1) == [1, 2, 0, 0, 1]
    # A period without transfers counts none.
    last_year = timezone.localdate() - timedelta(days=365)
    empty = page(
        care,
        care.county_supervisor,
        "care:transfer_report",
        query=f"?region={p.t2.code}&start={last_year:%Y-%m-%d}&end={last_year:%Y-%m-%d}",
    )
    assert _row(empty, p.v2) == [0, 0, 0, 0, 0]


def test_the_report_is_only_for_the_readers_own_places(care: CareCast) -> None:
    p = care.cast.places
    c = client(care, care.supervisor)
    outside = c.get(reverse("care:transfer_report") + f"?region={p.t2.code}")
    assert outside.status_code == 400
    assert "请从列表中选择范围" in outside.content.decode()
    assert 'data-testid="transfer-report"' not in outside.content.decode()
    backwards = c.get(reverse("care:transfer_report") + "?start=2026-03-10&end=2026-03-01")
    assert backwards.status_code == 400
    assert "结束日期不能早于开始日期" in backwards.content.decode()
