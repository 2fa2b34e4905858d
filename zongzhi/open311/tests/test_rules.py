"""The pure rules: the 90-day window, the attribute answers, the reporter's name."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.open311 import rules

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@given(start=st.none() | moments, end=st.none() | moments)
def test_a_window_never_spans_more_than_90_days_nor_runs_backwards(
    start: datetime | None, end: datetime | None
) -> None:
    try:
        window = rules.window(start, end, now=NOW)
    except ValueError:
        assert start is not None and end is not None
        assert end < start or end - start > rules.MAX_SPAN
        return
    assert window.start <= window.end
    assert window.end - window.start <= rules.MAX_SPAN
    assert window.start == (start or window.start) and window.end == (end or window.end)


def test_without_dates_the_window_is_the_last_90_days() -> None:
    assert rules.window(None, None, now=NOW) == rules.Window(NOW - timedelta(days=90), NOW)


@given(count=st.integers(min_value=-10, max_value=10**6))
def test_people_count_is_a_positive_whole_number(count: int) -> None:
    answers = rules.parse_attributes({"people_count": str(count)})
    if count >= 1:
        assert (answers.people_count, answers.errors) == (count, {})
    else:
        assert "attribute[people_count]" in answers.errors


@given(amount=st.decimals(min_value=-1000, max_value=10**9, allow_nan=False, places=3))
def test_an_amount_is_not_negative_with_at_most_two_decimals(amount: Decimal) -> None:
    answers = rules.parse_attributes({"amount": str(amount)})
    if amount >= 0 and amount == amount.quantize(Decimal("0.01")):
        assert answers.amount == amount and not answers.errors
    else:
        assert answers.amount is None and "attribute[amount]" in answers.errors


@pytest.mark.parametrize(
    ("raw", "violence", "errors"),
    [
        ({}, False, {}),
        ({"threat_of_violence": "yes"}, True, {}),
        ({"threat_of_violence": "no"}, False, {}),
    ],
)
def test_threats_are_yes_or_no_and_default_to_no(
    raw: dict[str, str], violence: bool, errors: dict[str, str]
) -> None:
    answers = rules.parse_attributes(raw)
    assert (answers.threat_of_violence, answers.errors) == (violence, errors)
    assert rules.parse_attributes({"threat_of_violence": "YES!"}).errors


def test_a_chinese_name_is_family_name_first_without_a_space() -> None:
    assert rules.reporter_name("三", "张") == "张三"
    assert rules.reporter_name("John", "Smith") == "John Smith"
    assert rules.reporter_name("", "") == ""
