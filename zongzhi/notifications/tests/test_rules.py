"""The pure rules: which steps notify whom, what a robot's address may be, retries."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.accounts.rules import Role
from zongzhi.cases.rules import Step
from zongzhi.notifications import rules
from zongzhi.notifications.rules import Event

failures = st.integers(min_value=1, max_value=1000)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def test_backoff_doubles_from_a_minute_up_to_an_hour() -> None:
    minutes = [rules.backoff(n) / timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


@given(failures)
def test_backoff_never_shrinks_never_exceeds_the_cap_and_is_never_zero(n: int) -> None:
    assert timedelta(minutes=1) <= rules.backoff(n) <= rules.LONGEST_WAIT
    assert rules.backoff(n) <= rules.backoff(n + 1)
    if rules.backoff(n + 1) < rules.LONGEST_WAIT:
        assert rules.backoff(n + 1) == 2 * rules.backoff(n)


@given(moments, failures, st.integers(min_value=1, max_value=20))
def test_a_delivery_is_retried_until_its_last_attempt_then_given_up(
    now: datetime, n: int, max_attempts: int
) -> None:
    at = rules.next_attempt_at(now, n, max_attempts)
    if n >= max_attempts:
        assert at is None
    else:
        assert at is not None and at == now + rules.backoff(n) and at > now


def test_retrying_ends_within_the_limit_and_waits_grow() -> None:
    """A run of failed attempts: each next try is later than the last, by at least as much
    as the previous wait, and after MAX_ATTEMPTS failures there is no next try."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    waits = []
    for n in range(1, rules.MAX_ATTEMPTS + 1):
        at = rules.next_attempt_at(now, n)
        if at is None:
            assert n == rules.MAX_ATTEMPTS
            break
        waits.append(at - now)
        now = at
    assert waits == sorted(waits)
    assert len(waits) == rules.MAX_ATTEMPTS - 1
    assert timedelta(seconds=rules.HTTP_TIMEOUT_SECONDS) < rules.CLAIM_LEASE


@pytest.mark.parametrize(
    ("step", "data", "event"),
    [
        (Step.DISPATCH, {}, Event.DISPATCH),
        (Step.TRANSFER, {}, Event.TRANSFER),
        (Step.WARN, {}, Event.WARN),
        (Step.SUPERVISE, {"automatic": True}, Event.OVERDUE),
        (Step.SUPERVISE, {"order": 3}, Event.SUPERVISE),
        (Step.WHISTLE, {}, Event.WHISTLE),
    ],
)
def test_the_steps_that_notify(step: Step, data: dict[str, object], event: Event) -> None:
    assert rules.event_for(step, data) == event


@given(st.sampled_from([s for s in Step if s not in rules.NOTIFYING_STEPS]))
def test_no_other_step_notifies(step: Step) -> None:
    assert rules.event_for(step, {"automatic": True}) is None


unit_ids = st.integers(min_value=1, max_value=50)


@given(
    st.sampled_from(list(Event)),
    st.none() | unit_ids,
    st.frozensets(unit_ids, max_size=4),
    st.frozensets(unit_ids, max_size=4),
)
def test_who_each_event_reaches(
    event: Event, lead: int | None, co: frozenset[int], summoned: frozenset[int]
) -> None:
    got = rules.audience(event, lead_unit=lead, co_units=co, summoned=summoned)
    if event in (Event.DISPATCH, Event.TRANSFER):
        assert got.units == co | ({lead} if lead else set())
        assert not got.centre_roles and not got.centre_robot
    elif event == Event.WHISTLE:
        assert got.units == summoned and not got.centre_roles
    else:
        # The one holding the case: the lead unit, or before dispatch the centre.
        if lead is not None:
            assert got.units == {lead} and not got.centre_robot
            assert Role.INTAKE_OFFICER not in got.centre_roles
        else:
            assert not got.units and got.centre_robot
            assert Role.INTAKE_OFFICER in got.centre_roles
        # Leaders hear of overdue cases only.
        assert (Role.LEADER in got.centre_roles) == (event == Event.OVERDUE)
    assert got.centre_roles <= {Role.INTAKE_OFFICER, Role.LEADER}


@given(st.sampled_from(list(Event)), st.lists(st.sampled_from([str(e) for e in Event])))
def test_everyone_receives_what_they_have_not_turned_off(event: Event, muted: list[str]) -> None:
    assert rules.wants_email(event, muted) == (str(event) not in muted)
    assert rules.wants_email(event, [])


@pytest.mark.parametrize(
    "url",
    [
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
        "http://10.1.2.3:8080/hook",
    ],
)
def test_robot_addresses_that_are_fine(url: str) -> None:
    assert rules.url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "请填写机器人地址"),
        ("ftp://example.org/hook", "须以 http:// 或 https:// 开头"),
        ("file:///etc/passwd", "须以 http:// 或 https:// 开头"),
        ("javascript:alert(1)", "须以 http:// 或 https:// 开头"),
        ("qyapi.weixin.qq.com/cgi-bin/webhook", "须以 http:// 或 https:// 开头"),
        ("https://", "缺少主机名"),
        ("https://example.org/a b", "不能包含空格"),
        ("https://example.org:port/", "格式不正确"),
        ("https://example.org/" + "a" * 500, "不能超过500个字符"),
    ],
)
def test_robot_addresses_refused_with_the_reason_naming_the_field(url: str, says: str) -> None:
    problem = rules.url_problem(url)
    assert problem is not None and says in problem and "机器人地址" in problem
