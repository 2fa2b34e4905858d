"""Reading cells the way people fill them in, and the 管控措施 format both ways."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.ledgers.measures import MeasureLine, format_measure, parse_measures
from zongzhi.ledgers.values import BadValue, parse_amount, parse_date, parse_int, text

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@given(days)
def test_every_way_of_writing_a_date_reads_as_that_date(day: date) -> None:
    for written in (
        day,
        datetime(day.year, day.month, day.day),
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f" {day.year}-{day.month:02d}-{day.day:02d} ",
    ):
        assert parse_date(written) == day


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2026-02-30", "没有这一天"),
        ("2026-13-01", "没有这一天"),
        ("明天", "不是有效日期"),
        ("26-1-5", "不是有效日期"),
        (46000, "不是有效日期"),
    ],
)
def test_what_is_not_a_date_says_so(written: object, message: str) -> None:
    with pytest.raises(BadValue, match=message):
        parse_date(written)


@given(st.decimals(min_value=0, max_value=10**11, places=2))
def test_amounts_read_back_as_written(amount: Decimal) -> None:
    assert parse_amount(f"{amount:,}") == amount
    assert parse_amount(f"{amount}元") == amount
    assert parse_amount(float(amount)) == amount


def test_amounts_in_ten_thousands_and_bad_amounts() -> None:
    assert parse_amount("1.2万") == Decimal("12000.00")
    assert parse_amount("-500") == Decimal("-500.00")  # the register's rule refuses it
    for bad in ("约五千", "NaN", "1e400", True):
        with pytest.raises(BadValue):
            parse_amount(bad)


def test_whole_numbers_and_text() -> None:
    assert parse_int(12.0) == 12 and parse_int(" 7 ") == 7
    for bad in (1.5, "三", True):
        with pytest.raises(BadValue):
            parse_int(bad)
    assert text(530424001001001.0) == "530424001001001"
    assert text(None) == "" and text(datetime(2026, 1, 5, 8)) == "2026-01-05"


contents = st.text(
    alphabet=st.characters(whitelist_categories=("Lo", "Nd"), blacklist_characters="（）()"),
    min_size=1,
    max_size=30,
)
owners = st.text(alphabet=st.characters(whitelist_categories=("Lo",)), min_size=1, max_size=8)


@given(st.lists(st.tuples(contents, owners, days, st.booleans()), min_size=1, max_size=5))
def test_the_measures_cell_reads_back_what_the_export_wrote(
    measures: list[tuple[str, str, date, bool]],
) -> None:
    cell = "\n".join(
        format_measure(n, content=c, owner=o, due_on=d, done=done)
        for n, (c, o, d, done) in enumerate(measures, start=1)
    )
    assert parse_measures(cell) == [
        MeasureLine(content=c, owner=o, due_on=d, done=done) for c, o, d, done in measures
    ]


def test_a_measure_without_its_due_date_is_named_by_its_number() -> None:
    with pytest.raises(BadValue, match="第2条措施未注明完成时限"):
        parse_measures("1. 走访（时限：2026-12-01）\n2. 约谈负责人")
    with pytest.raises(BadValue, match="第1条措施的时限“下月”不是有效日期"):
        parse_measures("走访（落实人：张三；时限：下月）")
