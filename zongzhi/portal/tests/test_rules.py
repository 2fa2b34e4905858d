"""The abuse guard's rules, without a database."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.portal import rules

limits = st.builds(
    rules.Limit,
    scope=st.just("t"),
    count=st.integers(min_value=1, max_value=6),
    window=st.integers(min_value=1, max_value=500).map(lambda s: timedelta(seconds=s)),
)
# Attempts at whole and half seconds, so that several fall on a window's exact edge.
attempts = st.lists(st.integers(min_value=0, max_value=4000).map(lambda t: t / 2), max_size=60)


def run(limit: rules.Limit, times: list[float]) -> list[tuple[float, rules.Decision]]:
    hits: tuple[float, ...] = ()
    decisions = []
    for now in sorted(times):
        decision = rules.decide(hits, now, limit)
        hits = decision.hits
        decisions.append((now, decision))
    return decisions


@given(limits, attempts)
def test_no_window_ever_holds_more_than_the_limit(limit: rules.Limit, times: list[float]) -> None:
    admitted = [now for now, d in run(limit, times) if d.allowed]
    span = limit.window.total_seconds()
    for start in admitted:
        inside = [t for t in admitted if start <= t < start + span]
        assert len(inside) <= limit.count


@given(limits, attempts)
def test_an_attempt_is_refused_only_when_the_window_is_full(
    limit: rules.Limit, times: list[float]
) -> None:
    """Not stricter than it says: a refusal means `count` admitted attempts lie in the
    window before it, and the refusal names the exact moment one is admitted again."""
    decisions = run(limit, times)
    admitted: list[float] = []
    span = limit.window.total_seconds()
    for now, decision in decisions:
        recent = [t for t in admitted if t > now - span]
        assert decision.allowed == (len(recent) < limit.count)
        if decision.allowed:
            admitted.append(now)
            continue
        assert decision.retry_at is not None and decision.retry_at > now
        # Nothing more admitted meanwhile: at retry_at it is admitted, a moment before not.
        assert rules.decide(decision.hits, decision.retry_at, limit).allowed
        assert not rules.decide(decision.hits, decision.retry_at - 0.25, limit).allowed


@given(limits, attempts)
def test_the_counter_keeps_no_more_than_the_limit(limit: rules.Limit, times: list[float]) -> None:
    for _now, decision in run(limit, times):
        assert len(decision.hits) <= limit.count


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13900001111", "13900001111"),
        ("139 0000 1111", "13900001111"),
        ("+86 139-0000-1111", "13900001111"),
        ("１３９００００１１１１", "13900001111"),
        ("0877-5123456", "08775123456"),
        ("5123456", "5123456"),
        ("12345", None),
        ("23900001111", None),
        ("电话", None),
    ],
)
def test_phone_numbers_are_read_as_people_write_them(typed: str, kept: str | None) -> None:
    assert rules.normalize_phone(typed) == kept


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", "unknown"),
    ],
)
def test_an_ipv6_line_is_one_network(ip: str, network: str) -> None:
    assert rules.network_of(ip) == network


@pytest.mark.parametrize(
    "typed",
    [
        "250312-ABC234",
        "250312-abc234",
        " 250312 — abc234 ",
        "250312ABC234",
        "２５０３１２－ＡＢＣ２３４",
    ],
)
def test_tracking_codes_are_read_as_people_type_them(typed: str) -> None:
    assert rules.normalize_code(typed) == "250312-ABC234"
