"""The care registry's rules: the programmes' visit rules against the law, the schedule,
identity numbers and minors. No database."""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from zongzhi.care import rules
from zongzhi.care.rules import (
    MENTAL_HEALTH,
    PROGRAMMES,
    Programme,
    due_after_assessment,
    due_after_transfer,
    identity_error,
    is_minor,
    mask_identity,
    next_visit_due,
    with_check_digit,
)

ALL = list(PROGRAMMES.values())
THREE_LEVEL = [p for p in ALL if p is not MENTAL_HEALTH]


# --- The programmes -----------------------------------------------------------------------


def test_there_are_exactly_the_seven_statutory_programmes() -> None:
    assert set(PROGRAMMES) == {
        "mental_health",
        "corrections",
        "resettlement",
        "drug_rehabilitation",
        "homeless",
        "left_behind_children",
        "children_in_difficulty",
    }
    assert [code for code, _ in rules.PROGRAMME_CHOICES] == list(PROGRAMMES)
    for prog in ALL:
        assert prog.legal_basis and all(text.startswith("《") for text in prog.legal_basis)
        assert prog.closing_reasons and prog.level_reasons
        assert prog.retention_years >= 3
        assert all(version.source for version in prog.visit_rules)
    assert {p.code for p in ALL if p.for_minors} == {
        "left_behind_children",
        "children_in_difficulty",
    }


@pytest.mark.parametrize("prog", ALL, ids=lambda p: p.code)
def test_no_version_of_the_visit_rules_is_looser_than_the_statutory_interval(
    prog: Programme,
) -> None:
    for version in prog.visit_rules:
        codes = [rule.code for rule in version.levels]
        assert len(codes) == len(set(codes)), version.version
        # Every level the law knows has a rule, and no rule for a level it does not.
        assert set(codes) == set(prog.statutory_every_days), version.version
        for rule in version.levels:
            assert 1 <= rule.every_days <= prog.statutory_every_days[rule.code], (
                version.version,
                rule.code,
            )
        assert version.first_visit_days >= 1
        # The most pressing level comes first: intervals never shrink down the list.
        intervals = [rule.every_days for rule in version.levels]
        assert intervals == sorted(intervals), version.version


@pytest.mark.parametrize("prog", ALL, ids=lambda p: p.code)
def test_the_versions_are_in_order_and_the_one_in_force_applies(prog: Programme) -> None:
    starts = [version.effective_from for version in prog.visit_rules]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    first = prog.visit_rules[0]
    assert prog.rules_on(first.effective_from) is first
    for current, following in zip(prog.visit_rules, prog.visit_rules[1:], strict=False):
        assert prog.rules_on(following.effective_from - timedelta(days=1)) is current
        assert prog.rules_on(following.effective_from) is following
    assert prog.rules_on(date(2099, 1, 1)) is prog.visit_rules[-1]


def test_the_local_mental_health_rule_of_2024_applies_from_its_first_day() -> None:
    before = MENTAL_HEALTH.rules_on(date(2023, 12, 31))
    after = MENTAL_HEALTH.rules_on(date(2024, 1, 1))
    assert (before.version, after.version) == ("2017", "2024")
    assert before.every_days("3") == 14 and after.every_days("3") == 7
    # The schedule follows the rules in force on the day it is computed.
    last = date(2023, 12, 20)
    old = next_visit_due(
        MENTAL_HEALTH, "4", last_visit_on=last, since=last, today=date(2023, 12, 31)
    )
    new = next_visit_due(MENTAL_HEALTH, "4", last_visit_on=last, since=last, today=date(2024, 1, 1))
    assert (old, new) == (date(2024, 1, 3), date(2023, 12, 27))


def test_mental_health_follows_the_national_grading_and_intervals() -> None:
    assert MENTAL_HEALTH.statutory_every_days == {
        "0": 90,
        "1": 30,
        "2": 30,
        "3": 14,
        "4": 14,
        "5": 14,
    }
    for version in MENTAL_HEALTH.visit_rules:
        assert {rule.code for rule in version.levels} == {"0", "1", "2", "3", "4", "5"}
        assert version.every_days("0") == 90
        assert version.every_days("1") == version.every_days("2") == 30
        assert all(version.every_days(g) <= 14 for g in "345")
        # At least four follow-ups a year, even for a stable patient.
        assert version.min_visits_per_year >= 4
        assert 365 / version.every_days("0") > 4
    assert MENTAL_HEALTH.level_name("0").startswith("0级")
    with pytest.raises(KeyError):
        MENTAL_HEALTH.visit_rules[-1].every_days("6")


@pytest.mark.parametrize("prog", THREE_LEVEL, ids=lambda p: p.code)
def test_the_three_level_programmes_visit_daily_weekly_monthly(prog: Programme) -> None:
    for version in prog.visit_rules:
        assert [rule.code for rule in version.levels] == ["high", "medium", "low"]
        assert version.every_days("high") <= 1
        assert version.every_days("medium") <= 7
        assert version.every_days("low") <= 30


# --- Identity numbers ---------------------------------------------------------------------

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def identity_numbers(draw: st.DrawFn) -> str:
    place = draw(st.text("0123456789", min_size=6, max_size=6))
    born = draw(birth_dates)
    serial = draw(st.text("0123456789", min_size=3, max_size=3))
    return with_check_digit(f"{place}{born:%Y%m%d}{serial}")


@given(identity_numbers())
def test_a_number_with_its_check_digit_is_valid(number: str) -> None:
    assert identity_error(number) is None
    assert rules.birth_date_of(number) == date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )


@given(identity_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_changed_digit_is_caught(number: str, position: int, new: str) -> None:
    assume(new != number[position])
    assume(position == 17 or new != "X")
    changed = number[:position] + new + number[position + 1 :]
    assert identity_error(changed) is not None


@given(identity_numbers())
def test_the_masked_number_keeps_only_the_first_four_and_last_four(number: str) -> None:
    masked = mask_identity(number)
    assert len(masked) == 18
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert set(masked[4:14]) == {"*"}


def test_malformed_numbers_are_refused_with_a_reason() -> None:
    good = with_check_digit("53042419800115123")
    assert identity_error(good[:-1]) == "身份证号码应为18位"
    assert identity_error("5304241980011512A" + "1") is not None
    assert identity_error(with_check_digit("53042419800231123")) == "身份证号码中的出生日期无效"
    assert rules.normalise_identity(" 5304 2419 8001 1512 3x ") == "53042419800115123X"
    assert mask_identity("123") == "***"


# --- Minors -------------------------------------------------------------------------------


def test_a_person_is_a_minor_until_the_18th_birthday() -> None:
    born = date(2008, 11, 23)
    assert is_minor(born, date(2026, 11, 22))
    assert not is_minor(born, date(2026, 11, 23))
    assert not is_minor(None, date(2026, 11, 23))


def test_someone_born_on_29_february_comes_of_age_on_1_march() -> None:
    born = date(2008, 2, 29)
    assert is_minor(born, date(2026, 2, 28))
    assert not is_minor(born, date(2026, 3, 1))
    leap_born = date(2012, 2, 29)  # 18 in 2030, not a leap year either
    assert is_minor(leap_born, date(2030, 2, 28))
    assert not is_minor(leap_born, date(2030, 3, 1))


@given(birth_dates, st.integers(0, 40 * 366))
def test_minority_is_the_first_eighteen_years(born: date, days: int) -> None:
    today = born + timedelta(days=days)
    # Counted as people count ages: a year older on the birthday (1 March for 29 February
    # in a common year, when 28 February has not yet reached "29 February").
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    assert is_minor(born, today) is (age < 18)


# --- The schedule -------------------------------------------------------------------------

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def programme_and_level(draw: st.DrawFn) -> tuple[Programme, str, date]:
    prog = draw(st.sampled_from(ALL))
    today = draw(days)
    level = draw(st.sampled_from([r.code for r in prog.rules_on(today).levels]))
    return prog, level, today


@given(programme_and_level(), st.integers(0, 400), st.integers(0, 400))
def test_the_next_visit_is_one_interval_after_the_last(
    case: tuple[Programme, str, date], since_back: int, visit_back: int
) -> None:
    prog, level, today = case
    visited = today - timedelta(days=visit_back)
    since = visited - timedelta(days=since_back)
    due = next_visit_due(prog, level, last_visit_on=visited, since=since, today=today)
    assert due > visited  # never before (nor on) the last visit
    assert due - visited == timedelta(days=prog.rules_on(today).every_days(level))
    first = next_visit_due(prog, level, last_visit_on=None, since=since, today=today)
    assert first == since + timedelta(days=prog.rules_on(today).first_visit_days)


@given(programme_and_level(), st.integers(0, 400), st.one_of(st.none(), st.integers(0, 400)))
def test_after_an_assessment_the_visit_is_never_due_before_the_assessment(
    case: tuple[Programme, str, date], since_back: int, visit_back: int | None
) -> None:
    prog, level, assessed = case
    visited = None if visit_back is None else assessed - timedelta(days=visit_back)
    since = (visited or assessed) - timedelta(days=since_back)
    due = due_after_assessment(
        prog, level, last_visit_on=visited, since=since, assessed_on=assessed
    )
    assert due >= assessed
    scheduled = next_visit_due(prog, level, last_visit_on=visited, since=since, today=assessed)
    assert due == max(scheduled, assessed)  # due today only when the interval already ran out


@given(st.sampled_from(ALL), days, st.integers(-200, 200))
def test_after_a_transfer_the_first_visit_falls_within_the_deadline(
    prog: Programme, accepted: date, offset: int
) -> None:
    current = accepted + timedelta(days=offset)
    due = due_after_transfer(prog, current, accepted)
    deadline = accepted + timedelta(days=prog.rules_on(accepted).first_visit_days)
    assert accepted <= due <= deadline
    if accepted <= current <= deadline:
        assert due == current  # what was due stays due
