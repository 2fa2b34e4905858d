"""Keeping a care file through its pages: the schedule as the care worker sees it, the
forms' errors, who may do what, closing, and the worker's list of due visits."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.care import rules, services
from zongzhi.care.models import (
    CareAccess,
    CareAssessment,
    CareAssistance,
    CareEvent,
    CareFile,
    CarePlanItem,
    CareTeamMember,
    CareVisit,
)
from zongzhi.care.services import Member
from zongzhi.care.tests.conftest import ADULT_ID, CareCast, open_file
from zongzhi.conftest import make_user

MH = rules.MENTAL_HEALTH


def today() -> date:
    return timezone.localdate()


def every(level: str) -> timedelta:
    """The interval of a mental-health level under the rules in force today."""
    return timedelta(days=MH.rules_on(today()).every_days(level))


def client(care: CareCast, user: Any) -> Client:
    return care.cast.client_for(user)


def visit_post(**overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": "visit-key-1",
        "visited_on": today().isoformat(),
        "method": "home",
        "seen": "服药规律，情绪平稳，家属照看到位。",
        "needs_raised": "希望申请医疗救助",
        "follow_up": "联系卫生院精防医生",
    }
    data.update(overrides)
    return data


def fresh(file: CareFile) -> CareFile:
    return CareFile.objects.get(pk=file.pk)


def page_of(response: Any) -> str:
    return str(response.content.decode())


# --- The schedule as the worker sees it -------------------------------------------------


def test_the_visit_form_shows_who_is_visited_and_logs_the_read(care: CareCast) -> None:
    f = care.file
    response = client(care, care.worker).get(f"/care/{f.code}/visit/")
    page = page_of(response)
    assert response.status_code == 200
    assert "李建国" in page
    assert f.identity_masked in page and ADULT_ID not in page
    assert "2级（基本稳定）" in page
    assert f"{f.next_visit_due:%Y-%m-%d}" in page
    assert "尚未走访" in page
    for method in ["入户走访", "电话随访", "来中心面谈", "视频随访"]:
        assert method in page
    logged = CareAccess.objects.get(file=f)
    assert (logged.user_id, logged.what, logged.via) == (care.worker.pk, "file", "page")


def test_recording_a_visit_moves_the_next_visit_by_the_level_interval(care: CareCast) -> None:
    f = care.file
    c = client(care, care.worker)
    response = c.post(f"/care/{f.code}/visit/", visit_post())
    assert response.status_code == 302 and response["Location"] == "/care/visits/"
    due = today() + every("2")
    f = fresh(f)
    assert (f.last_visit_on, f.next_visit_due) == (today(), due)
    visit = CareVisit.objects.get(file=f)
    assert (visit.method, visit.by_id) == ("home", care.worker.pk)
    # The worker is told when the next visit is due.
    assert f"下次走访截止 {due:%Y-%m-%d}" in page_of(c.get("/care/visits/"))
    # And the visit form now shows the visit just made.
    assert f"{today():%Y-%m-%d}" in page_of(c.get(f"/care/{f.code}/visit/")).split("最近走访")[1]


def test_raising_the_level_shortens_the_next_visit_and_lowering_it_lengthens_it(
    care: CareCast,
) -> None:
    f = care.file
    c = client(care, care.worker)
    c.post(f"/care/{f.code}/visit/", visit_post())
    assert fresh(f).next_visit_due == today() + every("2")

    page = page_of(c.get(f"/care/{f.code}/assess/"))
    in_force = MH.rules_on(today())
    # Each level says what it means for the schedule, under the rules cited.
    assert f"4级（不稳定）：每{in_force.every_days('4')}天至少走访一次" in page
    assert f"0级（稳定）：每{in_force.every_days('0')}天至少走访一次" in page
    assert in_force.source in page and f"{in_force.version}版" in page
    assert "有肇事肇祸行为或倾向" in page

    raised = c.post(f"/care/{f.code}/assess/", {"level": "4", "reasons": ["violence", "relapse"]})
    assert raised.status_code == 302 and raised["Location"] == f"/care/{f.code}/"
    f = fresh(f)
    assert f.level == "4" and f.next_visit_due == today() + every("4")
    assert every("4") < every("2")

    lowered = c.post(f"/care/{f.code}/assess/", {"level": "0", "reasons": ["stable_treatment"]})
    assert lowered.status_code == 302
    f = fresh(f)
    assert f.level == "0" and f.next_visit_due == today() + every("0")
    assert every("0") > every("2")
    assert list(CareAssessment.objects.filter(file=f).values_list("level", flat=True)[:2]) == [
        "0",
        "4",
    ]


def test_a_level_raised_after_a_long_gap_makes_the_visit_due_today(care: CareCast) -> None:
    f = open_file(
        care.worker,
        care.cast.places.v1,
        identity_number="",
        person_name="王强",
        enrolled_on=today() - timedelta(days=60),
    )
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=today() - timedelta(days=20), method="phone", seen="好"
    )
    assert fresh(f).next_visit_due == today() + timedelta(days=10)  # 30 days after the visit
    client(care, care.worker).post(
        f"/care/{f.code}/assess/", {"level": "5", "reasons": ["relapse"]}
    )
    assert fresh(f).next_visit_due == today()


def test_sending_the_visit_form_twice_records_one_visit(care: CareCast) -> None:
    f = care.file
    c = client(care, care.worker)
    first = c.post(f"/care/{f.code}/visit/", visit_post())
    second = c.post(f"/care/{f.code}/visit/", visit_post())
    assert first.status_code == second.status_code == 302
    assert CareVisit.objects.filter(file=f).count() == 1
    assert CareEvent.objects.filter(file=f, kind="visit").count() == 1
    # Another form (another key) is another visit.
    c.post(f"/care/{f.code}/visit/", visit_post(idempotency_key="visit-key-2"))
    assert CareVisit.objects.filter(file=f).count() == 2


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"visited_on": "tomorrow"}, "走访日期不能晚于今天"),
        ({"seen": "  "}, "请填写走访情况"),
        ({"seen": ""}, "请填写走访情况"),
        ({"method": "drone"}, "请选择走访方式"),
        ({"visited_on": "2020-13-40"}, "请填写有效的日期"),
    ],
)
def test_a_bad_visit_form_says_what_is_wrong_and_writes_nothing(
    care: CareCast, overrides: dict[str, str], message: str
) -> None:
    f = care.file
    if overrides.get("visited_on") == "tomorrow":
        overrides = {"visited_on": (today() + timedelta(days=1)).isoformat()}
    response = client(care, care.worker).post(f"/care/{f.code}/visit/", visit_post(**overrides))
    assert response.status_code == 400
    assert message in page_of(response)
    assert not CareVisit.objects.exists()
    assert fresh(f).next_visit_due == f.next_visit_due and fresh(f).last_visit_on is None
    # What the worker typed is kept for them to correct.
    assert "希望申请医疗救助" in page_of(response)


def test_an_assessment_without_reasons_is_refused_in_chinese(care: CareCast) -> None:
    f = care.file
    c = client(care, care.worker)
    response = c.post(f"/care/{f.code}/assess/", {"level": "4"})
    assert response.status_code == 400 and "请至少选择一项评估依据" in page_of(response)
    response = c.post(f"/care/{f.code}/assess/", {"level": "high", "reasons": ["relapse"]})
    assert response.status_code == 400 and "请选择评估等级" in page_of(response)
    assert fresh(f).level == "2"
    assert CareAssessment.objects.filter(file=f).count() == 1  # the enrolment's


def test_plan_items_are_added_once_and_marked_done(care: CareCast) -> None:
    f = care.file
    c = client(care, care.worker)
    assert c.get(f"/care/{f.code}/plan/").status_code == 200
    post = {
        "idempotency_key": "plan-1",
        "need": "规律服药",
        "measure": "每周由村医上门送药并督促服药",
        "who": "村医张华",
        "due_on": (today() + timedelta(days=30)).isoformat(),
    }
    first = c.post(f"/care/{f.code}/plan/", post)
    second = c.post(f"/care/{f.code}/plan/", post)
    assert first["Location"] == second["Location"] == f"/care/{f.code}/"
    item = CarePlanItem.objects.get(file=f)
    bad = c.post(f"/care/{f.code}/plan/", {**post, "idempotency_key": "plan-2", "who": ""})
    assert bad.status_code == 400 and "请填写落实人" in page_of(bad)
    past = {**post, "idempotency_key": "plan-3", "due_on": "2000-01-01"}
    assert "完成时限不能早于今天" in page_of(c.post(f"/care/{f.code}/plan/", past))
    assert CarePlanItem.objects.filter(file=f).count() == 1

    assert c.get(f"/care/{f.code}/plan/{item.pk}/done/").status_code == 405
    done = c.post(f"/care/{f.code}/plan/{item.pk}/done/")
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.done_on == today()
    # An item of another file is not found through this one.
    other = open_file(care.worker, care.cast.places.v1, identity_number="", person_name="王强")
    theirs = services.care_file_add_plan_item(
        by=care.worker, file=other, need="n", measure="m", who="w"
    )
    assert c.post(f"/care/{f.code}/plan/{theirs.pk}/done/").status_code == 404


def test_assistance_is_recorded_with_its_amount(care: CareCast) -> None:
    f = care.file
    c = client(care, care.worker)
    post = {
        "idempotency_key": "assist-1",
        "kind": "temporary",
        "amount": "800.00",
        "granted_on": today().isoformat(),
        "note": "住院期间临时救助",
    }
    assert c.post(f"/care/{f.code}/assistance/", post).status_code == 302
    assert c.post(f"/care/{f.code}/assistance/", post).status_code == 302
    granted = CareAssistance.objects.get(file=f)
    assert (granted.kind, str(granted.amount)) == ("temporary", "800.00")
    bad = c.post(
        f"/care/{f.code}/assistance/", {**post, "idempotency_key": "assist-2", "amount": "-5"}
    )
    assert bad.status_code == 400 and "金额不能为负数" in page_of(bad)
    future = (today() + timedelta(days=3)).isoformat()
    late = c.post(
        f"/care/{f.code}/assistance/", {**post, "idempotency_key": "a-3", "granted_on": future}
    )
    assert late.status_code == 400 and "发放日期不能晚于今天" in page_of(late)
    assert CareAssistance.objects.count() == 1


# --- Who may do what ----------------------------------------------------------------------


PAGES = ["visit", "assess", "plan", "assistance", "team", "close"]


@pytest.mark.parametrize("page", PAGES)
def test_a_care_worker_outside_the_team_finds_no_file(care: CareCast, page: str) -> None:
    f = care.file
    for user in [care.worker2, care.supervisor2, care.cast.by_role[Role.GRID_WORKER]]:
        c = client(care, user)
        assert c.get(f"/care/{f.code}/{page}/").status_code == 404, user.username
        assert c.post(f"/care/{f.code}/{page}/", {}).status_code == 404, user.username
    assert not CareAccess.objects.exists()


def test_a_team_member_without_lead_duty_keeps_the_file_but_cannot_manage_it(
    care: CareCast,
) -> None:
    f = care.file
    doctor = make_user("v1_doctor", Role.CARE_WORKER, region=care.cast.places.v1)
    services.care_file_add_member(by=care.worker, file=f, member=Member(duty="doctor", user=doctor))
    c = client(care, doctor)
    for page in ["visit", "assess", "plan", "assistance"]:
        assert c.get(f"/care/{f.code}/{page}/").status_code == 200, page
    assert c.post(f"/care/{f.code}/visit/", visit_post()).status_code == 302
    assert c.get(f"/care/{f.code}/team/").status_code == 403
    assert c.get(f"/care/{f.code}/close/").status_code == 403
    remove = {"action": "remove", "member": str(f.team.get(user=doctor).pk)}
    assert c.post(f"/care/{f.code}/team/", remove).status_code == 403
    closing = {"reason": "recovered", "closed_on": today().isoformat()}
    assert c.post(f"/care/{f.code}/close/", closing).status_code == 403
    assert fresh(f).is_open
    assert f.team.get(user=doctor).active


def test_the_supervisor_of_the_place_keeps_and_manages_the_file(care: CareCast) -> None:
    f = care.file
    c = client(care, care.supervisor)
    for page in PAGES:
        assert c.get(f"/care/{f.code}/{page}/").status_code == 200, page


# --- The team -----------------------------------------------------------------------------


def test_the_lead_adds_members_changes_the_lead_and_removes_a_member(care: CareCast) -> None:
    f = care.file
    p = care.cast.places
    colleague = make_user("v1_care_b", Role.CARE_WORKER, region=p.v1)
    elsewhere = care.worker2  # a care worker of another township
    c = client(care, care.worker)
    page = page_of(c.get(f"/care/{f.code}/team/"))
    offered = page.split('data-testid="add-form"')[1]
    assert "v1_care_b" in offered and "t1_care_sup" in offered
    assert "v2_care" not in offered and "g1_grid" not in offered

    # Someone outside the care work of this place is refused by name, nothing added.
    refused = c.post(
        f"/care/{f.code}/team/",
        {"action": "add", "idempotency_key": "m-0", "duty": "grid_worker", "user": elsewhere.pk},
    )
    assert refused.status_code == 400
    assert "该用户不在档案所在地从事特殊人群工作" in page_of(refused)
    assert not f.team.filter(user=elsewhere).exists()

    added = {"action": "add", "idempotency_key": "m-1", "duty": "grid_worker", "user": colleague.pk}
    assert c.post(f"/care/{f.code}/team/", added).status_code == 302
    family = {
        "action": "add",
        "idempotency_key": "m-2",
        "duty": "family",
        "name": "李芳",
        "phone": "13900000001",
    }
    assert c.post(f"/care/{f.code}/team/", family).status_code == 302
    assert c.post(f"/care/{f.code}/team/", family).status_code == 302  # sent twice: once
    no_phone = {**family, "idempotency_key": "m-3", "phone": ""}
    assert "非平台用户请填写电话" in page_of(c.post(f"/care/{f.code}/team/", no_phone))
    assert f.team.filter(active=True).count() == 3

    # The colleague takes over; the former lead leaves the team and can no longer manage it.
    handed = c.post(f"/care/{f.code}/team/", {"action": "lead", "lead": colleague.pk})
    assert handed.status_code == 302 and handed["Location"] == "/care/visits/"
    lead = f.team.get(active=True, duty=CareTeamMember.Duty.LEAD)
    assert lead.user_id == colleague.pk
    assert c.get(f"/care/{f.code}/team/").status_code == 404  # no longer on the team at all

    c2 = client(care, colleague)
    page = page_of(c2.get(f"/care/{f.code}/team/"))
    assert "曾在组成员" in page and "v1_care" in page.split('data-testid="past-members"')[1]
    # The lead cannot be removed; a family member can.
    refused = c2.post(f"/care/{f.code}/team/", {"action": "remove", "member": lead.pk})
    assert refused.status_code == 400 and "不能移除包保责任人" in page_of(refused)
    relative = f.team.get(duty="family")
    assert (
        c2.post(f"/care/{f.code}/team/", {"action": "remove", "member": relative.pk}).status_code
        == 302
    )
    relative.refresh_from_db()
    assert not relative.active and relative.left_on == today()


# --- Closing ------------------------------------------------------------------------------


def test_closing_a_file_stops_its_schedule_and_refuses_further_changes(care: CareCast) -> None:
    f = care.file
    c = client(care, care.worker)
    page = page_of(c.get(f"/care/{f.code}/close/"))
    for _code, name in MH.closing_reasons:
        assert name in page
    bad = c.post(f"/care/{f.code}/close/", {"reason": "", "closed_on": today().isoformat()})
    assert bad.status_code == 400 and "请选择结案原因" in page_of(bad)
    future = (today() + timedelta(days=1)).isoformat()
    bad = c.post(f"/care/{f.code}/close/", {"reason": "recovered", "closed_on": future})
    assert bad.status_code == 400 and "结案日期不能晚于今天" in page_of(bad)
    assert fresh(f).is_open

    done = c.post(
        f"/care/{f.code}/close/",
        {"reason": "recovered", "closed_on": today().isoformat(), "note": "医院出具康复证明"},
    )
    assert done.status_code == 302 and done["Location"] == f"/care/{f.code}/"
    f = fresh(f)
    assert (f.closed_on, f.closing_reason, f.next_visit_due) == (today(), "recovered", None)

    # The forms are gone, with the reason why; a visit sent anyway is refused.
    page = page_of(c.get(f"/care/{f.code}/visit/"))
    assert (
        "不能再作改动" in page and "经诊断已康复" in page and 'data-testid="visit-form"' not in page
    )
    refused = c.post(f"/care/{f.code}/visit/", visit_post())
    assert refused.status_code == 400 and not CareVisit.objects.exists()
    assert (
        c.post(f"/care/{f.code}/assess/", {"level": "4", "reasons": ["relapse"]}).status_code == 400
    )
    assert fresh(f).level == "2"
    assert f.code not in page_of(c.get("/care/visits/")).split('data-testid="visits"')[1]


# --- My visits ----------------------------------------------------------------------------


def make_due(care: CareCast, name: str, days_from_today: int, *, by: Any = None) -> CareFile:
    """A file of `by` (the V1 worker) whose next visit falls `days_from_today` away: the
    last visit was one level-2 interval (30 days) before that."""
    by = by or care.worker
    region = care.cast.places.v1 if by == care.worker else care.cast.places.v2
    f = open_file(
        by, region, identity_number="", person_name=name, enrolled_on=today() - timedelta(days=90)
    )
    visited = today() + timedelta(days=days_from_today) - every("2")
    services.care_file_record_visit(
        by=by, file=f, visited_on=visited, method="home", seen="情况稳定"
    )
    return fresh(f)


def cards_of(page: str) -> list[str]:
    listed = page.split('data-testid="visits"')[1].split("</ul>")[0]
    return [part.split("</div>")[0].split(">")[-1] for part in listed.split('class="title">')[1:]]


def test_my_visits_lists_the_overdue_first_then_the_due(care: CareCast) -> None:
    make_due(care, "张三", 2)
    make_due(care, "李四", -10)
    make_due(care, "王五", 0)
    make_due(care, "赵六", -2)
    make_due(care, "钱七", 10)  # not due soon
    make_due(care, "孙八", -5, by=care.worker2)  # someone else's
    page = page_of(client(care, care.worker).get("/care/visits/"))
    assert cards_of(page) == ["李四", "赵六", "王五", "张三"]
    assert "逾期10天" in page and "逾期2天" in page and "今天" in page and "2天后" in page
    assert "其中逾期 2 人" in page
    assert page.count("记录走访") >= 4
    assert "提请督导的逾期走访" not in page  # not a supervisor
    # A list is not a read of each file.
    assert not CareAccess.objects.exists()


def test_my_visits_page_queries_do_not_grow_with_the_files(
    care: CareCast, django_assert_max_num_queries: Any
) -> None:
    c = client(care, care.worker)
    for i in range(3):
        make_due(care, f"甲{i}", -i)
    with django_assert_max_num_queries(6):
        small = c.get("/care/visits/")
    for i in range(12):
        make_due(care, f"乙{i}", -i)
    with django_assert_max_num_queries(6):
        large = c.get("/care/visits/")
    assert len(cards_of(page_of(small))) == 3 and len(cards_of(page_of(large))) == 15


def test_a_supervisor_sees_what_the_schedule_escalated_to_them(
    care: CareCast, django_assert_max_num_queries: Any
) -> None:
    late = make_due(care, "李四", -10)
    make_due(care, "赵六", -1)  # missed, but within the grace days: the worker's still
    t = services.care_file_propose_transfer(
        by=care.worker, file=care.file, to_region=care.cast.places.v2, reason="随子女搬迁"
    )
    # The receiving side let the answer deadline pass.
    type(t).objects.filter(pk=t.pk).update(answer_due_on=today() - timedelta(days=2))
    services.sweep_care()

    c = client(care, care.supervisor)
    with django_assert_max_num_queries(7):
        page = page_of(c.get("/care/visits/"))
    escalated = page.split('data-testid="escalated-visits"')[1].split("</section>")[0]
    assert "李四" in escalated and "已逾期10天" in escalated and "赵六" not in escalated
    assert f"/care/{late.code}/" in escalated

    page = page_of(client(care, care.supervisor2).get("/care/visits/"))
    waiting = page.split('data-testid="escalated-transfers"')[1].split("</section>")[0]
    assert "李建国" in waiting and "已超2天" in waiting

    worker_page = page_of(client(care, care.worker).get("/care/visits/"))
    assert "提请督导的逾期走访" not in worker_page and "超时未接收的转移" not in worker_page


def test_someone_outside_the_care_work_has_no_visits_page(care: CareCast) -> None:
    assert (
        client(care, care.cast.by_role[Role.INTAKE_OFFICER]).get("/care/visits/").status_code == 403
    )
