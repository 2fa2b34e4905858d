"""审核上报: months approved village, township, county in that order; re-opening with a
reason, cascading upward with an event each; who may approve; the frozen snapshot; the
tree page and the region page."""

import threading
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.analytics import rollups, signoff
from zongzhi.analytics.models import MonthlySignoff, SignoffEvent
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast, make_user, rows
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.regions.services import import_divisions

APPROVED = MonthlySignoff.Status.APPROVED
REOPENED = MonthlySignoff.Status.REOPENED


def last_month() -> date:
    return signoff.previous_month(timezone.localdate())


def in_last_month(case: Case, day: int = 15) -> Case:
    """Move a case's registration into last month. Written to the row directly: the
    services register cases now, and the sign-off is about a month that is over."""
    at = timezone.make_aware(datetime.combine(last_month().replace(day=day), time(10)))
    Case.objects.filter(pk=case.pk).update(registered_at=at)
    return case


@pytest.fixture
def county_leader(cast: Cast) -> User:
    return make_user("county_leader", Role.LEADER, region=cast.places.county)


@pytest.fixture
def t2_leader(cast: Cast) -> User:
    return make_user("t2_leader", Role.LEADER, region=cast.places.t2)


def status_of(region: Region, month: date) -> str | None:
    row = MonthlySignoff.objects.filter(region=region, month=month).first()
    return row.status if row else None


def approve_all(cast: Cast, by: User, month: date) -> None:
    p = cast.places
    for region in (p.v1, p.v2, p.t1, p.t2, p.county):
        signoff.approve(by=by, region=region, month=month)


def messages_of(error: ValidationError) -> str:
    return " ".join(m for ms in error.message_dict.values() for m in ms)


# --- The pure rules ------------------------------------------------------------------


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 1)), st.integers(0, 400))
def test_a_month_can_be_approved_exactly_from_the_first_of_the_next(
    some_day: date, days_later: int
) -> None:
    month = signoff.month_start(some_day)
    today = month + timedelta(days=days_later)
    problem = signoff.approval_problem(
        name="右所社区",
        level=Level.VILLAGE,
        month=month,
        today=today,
        status=None,
        unapproved_children=[],
    )
    over = today >= signoff.next_month(month)
    assert (problem is None) == over
    if not over:
        assert problem is not None and "尚未结束" in problem["month"]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)))
def test_a_month_reads_back_from_its_text(day: date) -> None:
    month = signoff.month_start(day)
    assert signoff.parse_month(f"{month:%Y-%m}") == month


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "2026-5", "26-05", "2026-05-01"])
def test_a_month_that_is_not_year_dash_month_is_refused(text: str) -> None:
    assert signoff.parse_month(text) is None


# A random county: townships 1..3, each with 0..3 villages. Prefixes as real ones.
trees = st.lists(st.integers(0, 3), min_size=1, max_size=3)
operations = st.lists(
    st.tuples(st.sampled_from(["approve", "reopen"]), st.integers(0, 100), st.booleans()),
    max_size=25,
)


@given(trees, operations)
def test_the_rules_never_leave_a_place_approved_above_an_unapproved_one(
    villages_per_township: list[int], ops: list[tuple[str, int, bool]]
) -> None:
    """Whatever is approved or re-opened in whatever order, by the rules alone: an
    approved place has every place below it approved, and a re-opening leaves nothing
    above it approved."""
    children: dict[str, list[str]] = {"530424": []}
    level = {"530424": Level.COUNTY}
    for t, n in enumerate(villages_per_township, start=1):
        township = f"530424{t:03d}"
        children["530424"].append(township)
        level[township] = Level.TOWNSHIP
        children[township] = []
        for v in range(1, n + 1):
            village = f"{township}{v:03d}"
            children[township].append(village)
            level[village] = Level.VILLAGE
            children[village] = []
    places = sorted(level)
    status: dict[str, str] = {}
    month, today = date(2026, 4, 1), date(2026, 5, 3)
    for kind, pick, with_reason in ops:
        place = places[pick % len(places)]
        if kind == "approve":
            problem = signoff.approval_problem(
                name=place,
                level=level[place],
                month=month,
                today=today,
                status=status.get(place),
                unapproved_children=[c for c in children[place] if status.get(c) != APPROVED],
            )
            if problem is None:
                status[place] = APPROVED
        else:
            problem = signoff.reopen_problem(
                name=place, month=month, status=status.get(place), reason="数据有误" * with_reason
            )
            if problem is None:
                above = signoff.approved_ancestors(
                    place, [p for p, s in status.items() if s == APPROVED]
                )
                for p in [place, *above]:
                    status[p] = REOPENED
                assert all(
                    status.get(p) != APPROVED for p in places if place.startswith(p) and p != place
                )
            elif not with_reason and status.get(place) == APPROVED:
                assert problem == {"reason": "请填写退回重审的原因"}
        for p, s in status.items():
            if s == APPROVED:
                assert all(status.get(c) == APPROVED for c in children[p]), (p, status)


def test_only_villages_townships_and_counties_sign_off() -> None:
    problem = signoff.approval_problem(
        name="右所社区第1网格",
        level=Level.GRID,
        month=date(2026, 4, 1),
        today=date(2026, 5, 3),
        status=None,
        unapproved_children=[],
    )
    assert problem is not None and "三级" in problem["region"]


# --- Approving, in order -------------------------------------------------------------


def test_a_village_is_approved_with_its_figures_and_an_event(cast: Cast) -> None:
    month = last_month()
    in_last_month(case_in(cast, Status.CLOSED))
    late = in_last_month(case_in(cast, Status.IN_PROGRESS))
    Case.objects.filter(pk=late.pk).update(due_on=month)  # long past its deadline
    leader = cast.by_role[Role.LEADER]

    row = signoff.approve(by=leader, region=cast.places.v1, month=month)

    assert row.status == APPROVED
    assert row.approved_by == leader and row.approved_by_name == leader.full_name
    assert row.figures["received"] == 2
    assert row.figures["closed"] == 1 and row.figures["resolved"] == 1
    assert row.figures["overdue"] == 1
    assert signoff.reported_figures(cast.places.v1, month) == row.figures
    figures = signoff.snapshot_figures(row.figures)
    assert figures["resolution_rate"].display == "50.00%"
    (event,) = SignoffEvent.objects.filter(signoff=row)
    assert event.kind == SignoffEvent.Kind.APPROVE and event.figures == row.figures
    assert event.by == leader


def test_a_township_cannot_be_approved_before_all_its_villages(cast: Cast) -> None:
    month, leader, p = last_month(), cast.by_role[Role.LEADER], cast.places
    with pytest.raises(ValidationError) as refused:
        signoff.approve(by=leader, region=p.t1, month=month)
    assert "右所社区" in messages_of(refused.value)
    assert not MonthlySignoff.objects.exists() and not SignoffEvent.objects.exists()

    signoff.approve(by=leader, region=p.v1, month=month)
    assert signoff.approve(by=leader, region=p.t1, month=month).status == APPROVED


def test_the_county_waits_for_every_township(cast: Cast, county_leader: User) -> None:
    month, p = last_month(), cast.places
    for region in (p.v1, p.t1):
        signoff.approve(by=county_leader, region=region, month=month)
    with pytest.raises(ValidationError) as refused:
        signoff.approve(by=county_leader, region=p.county, month=month)
    assert "盘溪镇" in messages_of(refused.value)
    with pytest.raises(ValidationError) as refused:
        signoff.approve(by=county_leader, region=p.t2, month=month)
    assert "大龙潭村" in messages_of(refused.value)

    signoff.approve(by=county_leader, region=p.v2, month=month)
    signoff.approve(by=county_leader, region=p.t2, month=month)
    assert signoff.approve(by=county_leader, region=p.county, month=month).status == APPROVED


def test_the_current_month_cannot_be_approved_nor_a_future_one(cast: Cast) -> None:
    leader = cast.by_role[Role.LEADER]
    this_month = signoff.month_start(timezone.localdate())
    for month in (this_month, signoff.next_month(this_month)):
        with pytest.raises(ValidationError) as refused:
            signoff.approve(by=leader, region=cast.places.v1, month=month)
        assert "尚未结束" in " ".join(refused.value.message_dict["month"])
    assert not MonthlySignoff.objects.exists()


def test_a_grid_does_not_sign_off(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        signoff.approve(by=cast.by_role[Role.LEADER], region=cast.places.g1, month=last_month())
    assert "region" in refused.value.message_dict


def test_a_second_approval_is_a_clear_error(cast: Cast) -> None:
    month, leader = last_month(), cast.by_role[Role.LEADER]
    signoff.approve(by=leader, region=cast.places.v1, month=month)
    with pytest.raises(ValidationError) as refused:
        signoff.approve(by=leader, region=cast.places.v1, month=month)
    assert "不能重复审核" in messages_of(refused.value)
    assert SignoffEvent.objects.count() == 1


def test_an_approval_racing_another_meets_the_unique_constraint(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two approvals that both found no row: the second insert hits the constraint and is
    told plainly, with nothing of its own written."""
    month, leader = last_month(), cast.by_role[Role.LEADER]
    signoff.approve(by=leader, region=cast.places.v1, month=month)
    monkeypatch.setattr(signoff, "_locked", lambda month, region_ids: {})  # saw no row
    with pytest.raises(ValidationError) as refused:
        signoff.approve(by=leader, region=cast.places.v1, month=month)
    assert "刚刚已由他人审核" in messages_of(refused.value)
    assert MonthlySignoff.objects.count() == 1 and SignoffEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_leaders_approving_at_once_make_one_approval(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time; the race needs PostgreSQL")
    month, p = last_month(), cast.places
    leaders = [cast.by_role[Role.LEADER], make_user("t1_leader_2", Role.LEADER, region=p.t1)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def take(user: User) -> None:
        try:
            start.wait()
            signoff.approve(by=user, region=p.v1, month=month)
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(messages_of(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in leaders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "approved" and outcomes.count("approved") == 1
    assert "审核" in next(o for o in outcomes if o != "approved")
    assert MonthlySignoff.objects.count() == 1 and SignoffEvent.objects.count() == 1


# --- Who may ------------------------------------------------------------------------


def test_a_leader_of_another_township_cannot_approve_nor_reopen(
    cast: Cast, t2_leader: User
) -> None:
    month, p = last_month(), cast.places
    for region in (p.v1, p.t1):
        with pytest.raises(PermissionDenied):
            signoff.approve(by=t2_leader, region=region, month=month)
    signoff.approve(by=cast.by_role[Role.LEADER], region=p.v1, month=month)
    with pytest.raises(PermissionDenied):
        signoff.reopen(by=t2_leader, region=p.v1, month=month, reason="数据有误")
    assert status_of(p.v1, month) == APPROVED and SignoffEvent.objects.count() == 1


def test_an_intake_officer_cannot_approve(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        signoff.approve(
            by=cast.by_role[Role.INTAKE_OFFICER], region=cast.places.v1, month=last_month()
        )
    assert not MonthlySignoff.objects.exists()


def test_a_township_leader_cannot_approve_the_county(cast: Cast, county_leader: User) -> None:
    month = last_month()
    approve_all_but_county = (cast.places.v1, cast.places.v2, cast.places.t1, cast.places.t2)
    for region in approve_all_but_county:
        signoff.approve(by=county_leader, region=region, month=month)
    with pytest.raises(PermissionDenied):
        signoff.approve(by=cast.by_role[Role.LEADER], region=cast.places.county, month=month)


# --- Re-opening ----------------------------------------------------------------------


def test_reopening_a_village_reopens_every_approved_place_above_it(
    cast: Cast, county_leader: User
) -> None:
    month, p, leader = last_month(), cast.places, cast.by_role[Role.LEADER]
    approve_all(cast, county_leader, month)

    reopened = signoff.reopen(by=leader, region=p.v1, month=month, reason="漏登2件纠纷")

    assert [s.region_id for s in reopened] == [p.v1.pk, p.t1.pk, p.county.pk]
    for region in (p.v1, p.t1, p.county):
        assert status_of(region, month) == REOPENED
        assert signoff.reported_figures(region, month) is None
        last = SignoffEvent.objects.filter(signoff__region=region).last()
        assert last is not None and last.kind == SignoffEvent.Kind.REOPEN and last.by == leader
    own = SignoffEvent.objects.filter(signoff__region=p.v1).last()
    assert own is not None and own.reason == "漏登2件纠纷"
    above = SignoffEvent.objects.filter(signoff__region=p.county).last()
    assert above is not None and "右所社区" in above.reason and "漏登2件纠纷" in above.reason
    # The other township's places are untouched.
    assert status_of(p.t2, month) == APPROVED and status_of(p.v2, month) == APPROVED
    assert SignoffEvent.objects.filter(kind=SignoffEvent.Kind.REOPEN).count() == 3


def test_reopening_needs_a_reason(cast: Cast) -> None:
    month, leader = last_month(), cast.by_role[Role.LEADER]
    signoff.approve(by=leader, region=cast.places.v1, month=month)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            signoff.reopen(by=leader, region=cast.places.v1, month=month, reason=reason)
        assert refused.value.message_dict == {"reason": ["请填写退回重审的原因"]}
    assert status_of(cast.places.v1, month) == APPROVED
    assert SignoffEvent.objects.count() == 1


def test_only_an_approved_month_can_be_reopened(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        signoff.reopen(
            by=cast.by_role[Role.LEADER], region=cast.places.v1, month=last_month(), reason="x"
        )
    assert "尚未审核" in messages_of(refused.value)


def test_a_reopened_month_is_approved_again_with_the_figures_of_then(cast: Cast) -> None:
    month, leader, v1 = last_month(), cast.by_role[Role.LEADER], cast.places.v1
    in_last_month(case_in(cast, Status.CLOSED))
    signoff.approve(by=leader, region=v1, month=month)
    in_last_month(case_in(cast, Status.CLOSED))
    signoff.reopen(by=leader, region=v1, month=month, reason="漏登1件")
    row = signoff.approve(by=leader, region=v1, month=month)
    assert row.status == APPROVED and row.figures["received"] == 2
    assert signoff.reported_figures(v1, month) == row.figures
    kinds = list(SignoffEvent.objects.filter(signoff=row).values_list("kind", flat=True))
    assert kinds == ["approve", "reopen", "approve"]
    assert MonthlySignoff.objects.filter(region=v1, month=month).count() == 1


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["approve", "reopen"]), st.integers(0, 4)),
        min_size=1,
        max_size=10,
    )
)
def test_the_services_keep_the_order_whatever_is_tried(
    cast: Cast, county_leader: User, steps: list[tuple[str, int]]
) -> None:
    """Random approvals and re-openings through the services: every refusal is a
    ValidationError, and the stored states always keep the order."""
    p = cast.places
    places = [p.v1, p.v2, p.t1, p.t2, p.county]
    below = {p.county: [p.t1, p.t2], p.t1: [p.v1], p.t2: [p.v2], p.v1: [], p.v2: []}
    month = last_month()
    with transaction.atomic():
        for kind, which in steps:
            region = places[which]
            try:
                if kind == "approve":
                    signoff.approve(by=county_leader, region=region, month=month)
                else:
                    signoff.reopen(by=county_leader, region=region, month=month, reason="复核")
            except ValidationError:
                pass
            states = {r: status_of(r, month) for r in places}
            for r, s in states.items():
                if s == APPROVED:
                    assert all(states[c] == APPROVED for c in below[r]), states
            events = SignoffEvent.objects.filter(signoff__month=month)
            # One event per change: every approval's row holds its own figures.
            assert events.filter(kind="approve").count() >= sum(
                1 for s in states.values() if s == APPROVED
            )
        transaction.set_rollback(True)


# --- The snapshot and the pages -------------------------------------------------------


def test_the_snapshot_stays_when_cases_change_but_the_page_shows_the_difference(
    cast: Cast,
) -> None:
    month, leader, v1 = last_month(), cast.by_role[Role.LEADER], cast.places.v1
    in_last_month(case_in(cast, Status.CLOSED))
    approved = signoff.approve(by=leader, region=v1, month=month).figures
    assert approved["received"] == 1

    in_last_month(case_in(cast, Status.IN_PROGRESS))  # registered late, for that month
    rollups.refresh_rollups()

    assert signoff.reported_figures(v1, month) == approved
    page = cast.client_for(leader).get(
        reverse("analytics:signoff_region", args=[v1.code, f"{month:%Y-%m}"])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="changed"' in html
    received = html.split('data-code="received"')[1].split("</tr>")[0]
    assert 'class="changed"' in html.split('data-code="received"')[0][-40:]
    assert '<td class="num approved">1</td>' in received
    assert '<td class="num live">2 <small class="diff"' in received
    assert ">+1</small>" in received
    resolved = html.split('data-code="resolved"')[0][-40:]
    assert 'class="changed"' not in resolved  # still 1 resolved: not marked


def test_the_tree_shows_each_place_with_its_state_and_buttons_where_one_may(
    cast: Cast, county_leader: User
) -> None:
    month, p = last_month(), cast.places
    signoff.approve(by=county_leader, region=p.v1, month=month)
    page = cast.client_for(cast.by_role[Role.LEADER]).get(
        reverse("analytics:signoff"), {"month": f"{month:%Y-%m}"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    rows_ = {
        chunk.split('"')[0]: chunk.split("</li>")[0]
        for chunk in html.split('data-testid="signoff-row" data-code="')[1:]
    }
    assert list(rows_) == [p.t1.code, p.v1.code]  # the T1 leader's places only
    assert "已审核" in rows_[p.v1.code] and "county_leader" in rows_[p.v1.code]
    assert "可审核" in rows_[p.t1.code] and "审核通过</button>" in rows_[p.t1.code]
    assert "下级已审核 1/1" in rows_[p.t1.code]

    county_page = cast.client_for(county_leader).get(
        reverse("analytics:signoff"), {"month": f"{month:%Y-%m}"}
    )
    html = county_page.content.decode()
    county_row = html.split(f'data-code="{p.county.code}"')[1].split("</li>")[0]
    assert "等待下级审核" in county_row and "</button>" not in county_row
    v2_row = html.split(f'data-code="{p.v2.code}"')[1].split("</li>")[0]
    assert "可审核" in v2_row and "审核通过</button>" in v2_row


def test_an_intake_officer_sees_the_tree_without_buttons(cast: Cast) -> None:
    page = cast.client_for(cast.by_role[Role.INTAKE_OFFICER]).get(reverse("analytics:signoff"))
    html = page.content.decode()
    assert page.status_code == 200 and "可审核" in html
    assert "审核通过</button>" not in html


def test_the_current_month_shows_nothing_to_approve(cast: Cast) -> None:
    this_month = signoff.month_start(timezone.localdate())
    page = cast.client_for(cast.by_role[Role.LEADER]).get(
        reverse("analytics:signoff"), {"month": f"{this_month:%Y-%m}"}
    )
    html = page.content.decode()
    assert 'data-testid="not-over"' in html and "本月尚未结束" in html
    tree = html.split('data-testid="tree"')[1].split("</ul>")[0]
    assert tree.count('data-testid="signoff-row"') == 2 and "</button>" not in tree


def test_a_bad_month_on_the_tree_says_so_and_shows_last_month(cast: Cast) -> None:
    page = cast.client_for(cast.by_role[Role.LEADER]).get(
        reverse("analytics:signoff"), {"month": "2026-13"}
    )
    html = page.content.decode()
    assert "月份格式应为" in html and signoff.month_label(last_month()) in html


def test_the_pages_are_for_those_who_read_figures(cast: Cast) -> None:
    month = f"{last_month():%Y-%m}"
    grid = cast.client_for(cast.by_role[Role.GRID_WORKER])
    assert grid.get(reverse("analytics:signoff")).status_code == 403
    t1 = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    outside = reverse("analytics:signoff_region", args=[cast.places.t2.code, month])
    assert t1.get(outside).status_code == 404
    bad = reverse("analytics:signoff_region", args=[cast.places.t1.code, "2026-5"])
    assert t1.get(bad).status_code == 404
    grid_page = reverse("analytics:signoff_region", args=[cast.places.g1.code, month])
    assert t1.get(grid_page).status_code == 404


def test_approving_from_the_tree_returns_to_the_tree(cast: Cast) -> None:
    month, v1 = f"{last_month():%Y-%m}", cast.places.v1
    client = cast.client_for(cast.by_role[Role.LEADER])
    response = client.post(
        reverse("analytics:signoff_region", args=[v1.code, month]),
        {"action": "approve", "back": "index"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('analytics:signoff')}?month={month}#r{v1.code}"
    assert status_of(v1, last_month()) == APPROVED
    page = client.get(response["Location"])
    assert "已审核通过右所社区" in page.content.decode()


def test_an_intake_officer_posting_an_approval_is_refused(cast: Cast) -> None:
    month, v1 = f"{last_month():%Y-%m}", cast.places.v1
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    url = reverse("analytics:signoff_region", args=[v1.code, month])
    assert client.post(url, {"action": "approve"}).status_code == 403
    assert not MonthlySignoff.objects.exists()


def test_the_region_page_reopens_with_a_reason_and_shows_the_history(cast: Cast) -> None:
    month, v1, leader = last_month(), cast.places.v1, cast.by_role[Role.LEADER]
    signoff.approve(by=leader, region=v1, month=month)
    client = cast.client_for(leader)
    url = reverse("analytics:signoff_region", args=[v1.code, f"{month:%Y-%m}"])

    empty = client.post(url, {"action": "reopen", "reason": " "})
    assert empty.status_code == 400
    assert "请填写退回重审的原因" in empty.content.decode()
    assert status_of(v1, month) == APPROVED

    done = client.post(url, {"action": "reopen", "reason": "漏登2件纠纷"})
    assert done.status_code == 302 and status_of(v1, month) == REOPENED
    html = client.get(url).content.decode()
    history = html.split('data-testid="history"')[1]
    assert history.index("审核通过") < history.index("退回重审") < history.index("漏登2件纠纷")
    assert "重新审核通过" in html  # a village waits for nobody


def test_the_tree_page_takes_the_same_queries_for_any_number_of_places(
    cast: Cast, county_leader: User, django_assert_max_num_queries: Any
) -> None:
    client = cast.client_for(county_leader)
    url = reverse("analytics:signoff")
    month = {"month": f"{last_month():%Y-%m}"}
    signoff.approve(by=county_leader, region=cast.places.v1, month=last_month())
    signoff.approve(by=county_leader, region=cast.places.v2, month=last_month())
    signoff.reopen(by=county_leader, region=cast.places.v2, month=last_month(), reason="复核")
    client.get(url, month)  # warm the session
    with django_assert_max_num_queries(8) as small:
        assert client.get(url, month).status_code == 200
    import_divisions(
        by=SYSTEM,
        rows=rows(
            *[
                (f"530424001{n:03d}", f"新村{n}", "village", "530424001000")
                for n in range(100, 130)
            ],
            ("530424103000", "新镇", "township", "530424000000"),
        ),
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(url, month).content.decode()
    assert html.count('data-testid="signoff-row"') == 5 + 31


def test_the_region_page_takes_few_queries(
    cast: Cast, county_leader: User, django_assert_max_num_queries: Any
) -> None:
    approve_all(cast, county_leader, last_month())
    client = cast.client_for(county_leader)
    url = reverse(
        "analytics:signoff_region", args=[cast.places.county.code, f"{last_month():%Y-%m}"]
    )
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- On a phone ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_leader_signs_off_and_reopens_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
    from zongzhi.conftest import PASSWORD

    page, month, p = phone_page, last_month(), cast.places
    in_last_month(case_in(cast, Status.CLOSED))
    in_last_month(case_in(cast, Status.VISITED))
    rollups.rebuild_rollups()
    sign_in(page, live_server.url, "t1_leader", PASSWORD)
    page.goto(f"{live_server.url}/analytics/signoff/?month={month:%Y-%m}")
    village = page.locator(f'[data-code="{p.v1.code}"]')
    township = page.locator(f'[data-code="{p.t1.code}"]')
    assert township.get_by_test_id("state").inner_text() == "等待下级审核"
    village.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state()
    assert village.get_by_test_id("state").inner_text() == "已审核"
    assert township.get_by_test_id("state").inner_text() == "可审核"
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "signoff-tree.png"), full_page=True)

    # A case registered late for that month: the page shows what changed since.
    in_last_month(case_in(cast, Status.IN_PROGRESS))
    rollups.refresh_rollups()
    village.get_by_role("link", name="右所社区").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("changed").is_visible()
    assert "changed" in (page.locator('tr[data-code="received"]').get_attribute("class") or "")
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "signoff-region-changed.png"), full_page=True)

    page.get_by_role("button", name="退回重审").click()
    page.get_by_label("退回原因").fill("漏登1件9月受理的纠纷")
    page.get_by_role("button", name="确认退回").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").get_by_test_id("state").first.inner_text() == "已退回重审"
    assert "漏登1件9月受理的纠纷" in page.get_by_test_id("history").inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "signoff-region-reopened.png"), full_page=True)

    # The township waits for its village again, and says why.
    page.get_by_role("link", name="宁州街道").click()
    page.wait_for_load_state()
    assert "已退回重审" in page.get_by_test_id("children").inner_text()
    assert "右所社区" in page.get_by_test_id("why-not").inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "signoff-township.png"), full_page=True)


def test_approving_and_reopening_take_few_queries(
    cast: Cast, county_leader: User, django_assert_max_num_queries: Any
) -> None:
    month, p = f"{last_month():%Y-%m}", cast.places
    for region in (p.v1, p.v2, p.t1, p.t2):
        signoff.approve(by=county_leader, region=region, month=last_month())
    client = cast.client_for(county_leader)
    client.get(reverse("analytics:signoff"))  # warm the session
    url = reverse("analytics:signoff_region", args=[p.county.code, month])
    # The rollups brought up to date first (the snapshot is the figures at this moment).
    with django_assert_max_num_queries(18):
        assert client.post(url, {"action": "approve"}).status_code == 302
    url = reverse("analytics:signoff_region", args=[p.v1.code, month])
    # Three places re-open (village, township, county): the row, its event and the
    # figures at that moment for each — bounded by the levels, not by the tree's size.
    with django_assert_max_num_queries(20):
        assert client.post(url, {"action": "reopen", "reason": "复核"}).status_code == 302
