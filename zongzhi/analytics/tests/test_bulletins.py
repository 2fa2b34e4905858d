"""The monthly bulletin (月通报) and the analysis-meeting pack (研判会材料).

The seeds' cases are created directly (analytics/tests/seeds.py): these tests are about
what the documents count and say. Cases that must be open, overdue or carry parties are
made through the services (cases/tests/factories.py)."""

import io
import itertools
import shutil
import subprocess
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.accounts.rules import Role
from zongzhi.analytics import bulletins, indicators, rollups, signoff
from zongzhi.analytics.bulletins import Kind, Period, UnitRank
from zongzhi.analytics.tests.seeds import SEED_RATE, seed_3099, seed_cases
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests import factories as cases
from zongzhi.conftest import Cast
from zongzhi.hazards.models import Hazard
from zongzhi.hazards.tests import factories as hazards

# --- Helpers ----------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def last_month() -> Period:
    return bulletins.last_month(today())


def this_month() -> Period:
    t = today()
    return Period.month(t.year, t.month)


def mid(period: Period) -> datetime:
    """Noon on a day inside `period`, as an aware time."""
    return timezone.make_aware(datetime.combine(period.start + timedelta(days=10), time(12)))


def docx_text(content: bytes) -> str:
    """Everything a reader of the Word file sees: paragraphs and table cells, in order."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["|".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


def pdf_text(content: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(  # noqa: S603  (our own PDF, to a fixed tool)
        [pdftotext, "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def unit_table(content: bytes) -> list[list[str]]:
    """The ranking table of a bulletin DOCX: its rows below the header."""
    document = Document(io.BytesIO(content))
    for table in document.tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        if cells[0][:2] == ["排名", "承办单位"]:
            return cells[1:]
    raise AssertionError("no ranking table")


def client_of(cast: Cast, role: Role = Role.LEADER) -> Client:
    return cast.client_for(cast.by_role[role])


def download(client: Client, **params: str) -> Any:
    values = {"kind": "bulletin", "span": "month", "format": "docx", **params}
    return client.get(reverse("analytics:bulletin_download"), values)


# --- The seeds' figures -----------------------------------------------------------------


def test_the_bulletin_reports_the_seeds_resolution_rate_in_the_docx(cast: Cast) -> None:
    period = last_month()
    seed_3099(cast.places.g1, cases.category(), registered_at=mid(period))

    layout = bulletins.bulletin_layout(kind=Kind.BULLETIN, region=cast.places.county, period=period)
    text = docx_text(bulletins.bulletin_docx(layout))

    assert f"华宁县{period.start.year}年{period.start.month}月矛盾纠纷多元化解工作通报" in text
    assert "本月共受理矛盾纠纷3099件，化解3057件，化解率98.64%" in text
    assert "办结率100.00%" in text
    assert SEED_RATE in text
    assert "数据尚未审核上报" in text


def test_the_bulletin_pdf_shows_the_same_figures(cast: Cast) -> None:
    period = last_month()
    seed_3099(cast.places.g1, cases.category(), registered_at=mid(period))

    layout = bulletins.bulletin_layout(kind=Kind.BULLETIN, region=cast.places.t1, period=period)
    text = "".join(pdf_text(bulletins.bulletin_pdf(layout)).split())

    assert f"宁州街道{period.start.year}年{period.start.month}月矛盾纠纷多元化解工作通报" in text
    assert "共受理矛盾纠纷3099件，化解3057件，化解率98.64%" in text
    # The charts are images in the PDF as well: the trend and the categories.
    html = bulletins.bulletin_html(layout)
    assert html.count('src="data:image/png;base64,') == 2


def test_an_approved_month_is_reported_as_approved_even_after_the_cases_change(
    cast: Cast,
) -> None:
    period = last_month()
    seed_3099(cast.places.g1, cases.category(), registered_at=mid(period))
    leader = cast.by_role[Role.LEADER]
    signoff.approve(by=leader, region=cast.places.v1, month=period.start)
    signoff.approve(by=leader, region=cast.places.t1, month=period.start)
    # Ten more cases for that month turn up afterwards, none resolved.
    seed_cases(cast.places.g1, cases.category(), total=10, resolved=0, registered_at=mid(period))
    live = indicators.figures(cast.places.t1.prefix, period.start, period.end, today())
    assert live["resolution_rate"].display != SEED_RATE

    layout = bulletins.bulletin_layout(kind=Kind.BULLETIN, region=cast.places.t1, period=period)
    text = docx_text(bulletins.bulletin_docx(layout))

    assert layout.approved
    assert "（已审核）" in text
    assert "共受理矛盾纠纷3099件，化解3057件，化解率98.64%" in text
    assert "已审核上报" in text


# --- The ranking of units -----------------------------------------------------------------


def test_units_are_ranked_by_resolution_then_closure_and_idle_units_come_last(
    cast: Cast,
) -> None:
    period = this_month()
    u = cast.units
    category = cases.category()
    # County bureau: 5 of 5 resolved. Village committee: 9 of 10 resolved, all closed.
    # Township station: 9 of 9 closed resolved and one still in progress: 90%, 办结率 90%.
    seed_cases(cast.places.g1, category, total=5, resolved=5, unit=u.county_bureau, rebuild=False)
    seed_cases(cast.places.g1, category, total=10, resolved=9, unit=u.v1_committee, rebuild=False)
    seed_cases(cast.places.g1, category, total=9, resolved=9, unit=u.t1_station, rebuild=False)
    cases.case_in(cast, Status.IN_PROGRESS)  # dispatched to the township's station
    rollups.rebuild_rollups()

    layout = bulletins.bulletin_layout(kind=Kind.BULLETIN, region=cast.places.county, period=period)
    rows = unit_table(bulletins.bulletin_docx(layout))

    assert [r[:5] for r in rows] == [
        ["1", "华宁县人社局", "5", "5", "100.00%"],
        ["2", "右所社区调委会", "10", "9", "90.00%"],
        ["3", "宁州派出所", "10", "9", "90.00%"],
        ["—", "盘溪派出所", "0", "—", "—"],
    ]
    assert rows[1][6] == "100.00%" and rows[2][6] == "90.00%"
    # A village committee with no case is left out of the county's ranking (two levels
    # below), but listed in its own township's.
    layout = bulletins.bulletin_layout(kind=Kind.BULLETIN, region=cast.places.t2, period=period)
    assert [r[:3] for r in unit_table(bulletins.bulletin_docx(layout))] == [
        ["—", "大龙潭村调委会", "0"],
        ["—", "盘溪派出所", "0"],
    ]


def _entry(name: str, accepted: int, resolved: int, closed: int) -> UnitRank:
    sums = {"accepted": accepted, "resolved": resolved, "closed": closed}
    rate = indicators.INDICATORS
    return UnitRank(
        rank=None,
        name=name,
        accepted=accepted,
        resolved=resolved,
        resolution=indicators.figure(rate["resolution_rate"], sums, {}),
        closed=closed,
        closure=indicators.figure(rate["closure_rate"], sums, {}),
    )


@st.composite
def unit_entries(draw: st.DrawFn) -> list[UnitRank]:
    entries = []
    for i in range(draw(st.integers(0, 8))):
        accepted = draw(st.integers(0, 6))
        closed = draw(st.integers(0, accepted))
        resolved = draw(st.integers(0, closed))
        entries.append(_entry(f"单位{i}", accepted, resolved, closed))
    return entries


@given(unit_entries())
def test_the_ranking_rule_orders_by_rates_and_ties_share_a_rank(entries: list[UnitRank]) -> None:
    ranked = bulletins.rank_units(entries)

    assert sorted(e.name for e in ranked) == sorted(e.name for e in entries)
    active = [e for e in ranked if e.accepted]
    idle = ranked[len(active) :]
    assert all(not e.accepted and e.rank is None for e in idle)
    assert [e.name for e in idle] == sorted(e.name for e in idle)

    def rates(e: UnitRank) -> tuple[Decimal, Decimal]:
        return (e.resolution.value or Decimal(0), e.closure.value or Decimal(0))  # type: ignore[return-value]

    for before, after in itertools.pairwise(active):
        assert rates(before) >= rates(after)
    for e in active:
        # Competition ranking: one more than the number of units strictly better.
        assert e.rank == 1 + sum(1 for other in active if rates(other) > rates(e))


# --- Overdue items and hazards ------------------------------------------------------------


def test_overdue_cases_are_listed_by_code_and_unit_without_the_parties_names(cast: Cast) -> None:
    case = cases.case_in(cast, Status.DISPATCHED, title="张三与李四占道纠纷")
    due = today() - timedelta(days=6)
    Case.objects.filter(pk=case.pk).update(due_on=due)  # its deadline passed six days ago
    rollups.rebuild_rollups()

    layout = bulletins.bulletin_layout(
        kind=Kind.BULLETIN, region=cast.places.t1, period=this_month()
    )
    text = docx_text(bulletins.bulletin_docx(layout))

    assert f"1|{case.code}|张某与李某占道纠纷|宁州派出所|{due:%Y-%m-%d}|6" in text
    assert "超期未办结事项1件" in text
    html = bulletins.bulletin_html(layout)
    for private in ("张三", "李四", "13800000001", "13800000002"):
        assert private not in text
        assert private not in html


def test_the_hazards_to_watch_are_the_serious_ones_and_those_past_review(cast: Cast) -> None:
    hazards.registered(
        cast,
        title="重大隐患：山体滑坡威胁村民住房",
        level=Hazard.Level.MAJOR,
        level_reasons="雨季可能滑坡",
    )
    late = hazards.registered(cast, title="低风险但复查逾期的隐患", level=Hazard.Level.LOW)
    # Its review fell due three days ago and nobody went (the date set directly: no
    # service moves a review date into the past).
    Hazard.objects.filter(pk=late.pk).update(next_review_on=today() - timedelta(days=3))
    hazards.registered(cast, title="按期复查的中风险隐患", level=Hazard.Level.MEDIUM)
    hazards.hazard_in(
        cast,
        hazards.Status.RESOLVED,
        title="已化解的高风险隐患",
        level="high",
        level_reasons="涉及人数多",
    )
    hazards.registered(
        cast,
        title="另一乡镇的重大隐患",
        level=Hazard.Level.MAJOR,
        level_reasons="涉及人数多",
        region=cast.places.g2,
        responsible_unit=cast.units.t2_station,
        by=cast.outsider,
    )

    layout = bulletins.bulletin_layout(
        kind=Kind.BULLETIN, region=cast.places.t1, period=this_month()
    )
    text = docx_text(bulletins.bulletin_docx(layout))

    assert "山体滑坡威胁村民住房|右所社区第1网格|重大|宁州派出所" in text
    assert "低风险但复查逾期的隐患|右所社区第1网格|低|宁州派出所" in text
    assert "（已逾期）" in text
    for absent in ("按期复查的中风险隐患", "已化解的高风险隐患", "另一乡镇的重大隐患"):
        assert absent not in text


# --- The pack -------------------------------------------------------------------------------


def test_the_meeting_pack_adds_channels_hotspots_and_a_space_for_the_meetings_opinion(
    cast: Cast,
) -> None:
    period = last_month()
    seed_3099(cast.places.g1, cases.category(), registered_at=mid(period))

    layout = bulletins.bulletin_layout(kind=Kind.PACK, region=cast.places.county, period=period)
    text = docx_text(bulletins.bulletin_docx(layout))

    assert "矛盾纠纷风险研判会材料" in text
    assert "排查发现|3099|3099|3057|98.64%" in text  # the channel table
    # 3,099 cases in one place and category, none before: a hotspot.
    assert "1|右所社区|相邻关系|3099|0.0" in text
    assert "研判意见" in text
    assert "形势研判" in text


def test_a_weekly_pack_counts_the_week(cast: Cast) -> None:
    t = today()
    year, week, _ = (t - timedelta(days=7)).isocalendar()
    period = Period.week(year, week)
    seed_cases(
        cast.places.g1, cases.category(), total=4, resolved=3, registered_at=mid_week(period)
    )

    layout = bulletins.bulletin_layout(kind=Kind.PACK, region=cast.places.t1, period=period)
    text = docx_text(bulletins.bulletin_docx(layout))

    assert f"宁州街道{year}年第{week}周矛盾纠纷风险研判会材料" in text
    assert "本周共受理矛盾纠纷4件，化解3件，化解率75.00%" in text


def mid_week(period: Period) -> datetime:
    return timezone.make_aware(datetime.combine(period.start + timedelta(days=3), time(12)))


def test_a_place_with_nothing_received_says_so_instead_of_dividing_by_nothing(
    cast: Cast,
) -> None:
    layout = bulletins.bulletin_layout(
        kind=Kind.BULLETIN, region=cast.places.t2, period=last_month()
    )
    text = docx_text(bulletins.bulletin_docx(layout))

    assert "本月登记矛盾纠纷0件，未有受理的矛盾纠纷。" in text
    assert "0.00%" not in text


# --- The page and the download ---------------------------------------------------------------


def test_the_page_offers_only_the_places_inside_the_users_grants(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        response = client.get(reverse("analytics:bulletin"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="530424001000"' in page  # 宁州街道, the leader's township
    assert 'value="530424000000"' not in page  # the county is above the grant
    assert 'value="530424102000"' not in page  # another township


def test_the_docx_download_names_the_file_in_chinese(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    period = last_month()
    seed_3099(cast.places.g1, cases.category(), registered_at=mid(period))
    client = client_of(cast)
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        response = download(client, region="530424001000", month=period.code)

    assert response.status_code == 200
    assert response["Content-Type"] == bulletins.DOCX_TYPE
    filename = f"宁州街道{period.start.year}年{period.start.month}月矛盾纠纷多元化解工作通报.docx"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(filename)}"
    assert unquote(response["Content-Disposition"]).endswith(filename)
    assert SEED_RATE in docx_text(response.content)


def test_the_pdf_download_is_a_pdf_named_for_the_pack(
    cast: Cast, django_assert_max_num_queries: object
) -> None:
    period = last_month()
    seed_3099(cast.places.g1, cases.category(), registered_at=mid(period))
    client = client_of(cast, Role.INTAKE_OFFICER)
    # The same number of queries however many units, cases, hazards and hotspots.
    with django_assert_max_num_queries(20):  # type: ignore[operator]  # +1: the audit entry
        response = download(
            client,
            kind="pack",
            region="530424001000",
            month=period.code,
            format="pdf",
        )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    filename = f"宁州街道{period.start.year}年{period.start.month}月矛盾纠纷风险研判会材料.pdf"
    assert unquote(response["Content-Disposition"]) == f"attachment; filename*=UTF-8''{filename}"


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.LEADER, "530424000000"),  # the county, above the leader's township
        (Role.LEADER, "530424102000"),  # another township
        (Role.INTAKE_OFFICER, "530424102000"),
        (Role.LEADER, "530424001001"),  # a village: bulletins are for counties and townships
        (Role.LEADER, "999999999999"),  # no such place
    ],
)
def test_a_place_outside_the_grants_is_not_found(cast: Cast, role: Role, region: str) -> None:
    response = download(client_of(cast, role), region=region, month=last_month().code)

    assert response.status_code == 404


def test_someone_who_does_not_read_figures_is_refused(cast: Cast) -> None:
    for role in (Role.GRID_WORKER, Role.UNIT_HANDLER, Role.CARE_WORKER):
        client = client_of(cast, role)
        assert client.get(reverse("analytics:bulletin")).status_code == 403
        response = download(client, region="530424001000", month=last_month().code)
        assert response.status_code == 403


def test_the_outsider_makes_bulletins_only_for_their_own_township(cast: Cast) -> None:
    client = cast.client_for(cast.outsider)
    month = last_month().code

    response = download(client, region="530424102000", month=month)
    assert response.status_code == 200
    assert "盘溪镇" in docx_text(response.content)
    assert download(client, region="530424001000", month=month).status_code == 404


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"span": "week", "week": "2026-W01"}, "span", "月通报按月生成"),
        ({"month": "2026-13"}, "month", "月份格式应为"),
        ({"month": ""}, "month", "请选择月份"),
        ({"month": "2999-01"}, "month", "所选月份尚未开始"),
        ({"kind": "pack", "span": "week", "week": "2026-W60"}, "week", "2026年没有第60周"),
        ({"kind": "pack", "span": "week", "week": "next week"}, "week", "周的格式应为"),
    ],
)
def test_a_wrong_choice_is_answered_with_the_form_and_a_chinese_error(
    cast: Cast, params: dict[str, str], field: str, message: str
) -> None:
    values = {"region": "530424001000", "month": last_month().code, **params}
    response = download(client_of(cast), **values)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode()


# --- Periods and charts ---------------------------------------------------------------------


def test_periods_are_written_as_on_a_chinese_document() -> None:
    october = bulletins.parse_month("2026-10", today=date(2026, 11, 23))
    assert (october.start, october.end, october.label) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        "2026年10月",
    )
    assert october.span == "2026年10月1日至10月31日"
    week = bulletins.parse_week("2026-W01", today=date(2026, 11, 23))
    assert (week.start, week.end) == (date(2025, 12, 29), date(2026, 1, 4))
    assert week.span == "2025年12月29日至2026年1月4日"
    assert week.code == "2026-W01"
    assert bulletins.last_month(date(2026, 1, 5)).code == "2025-12"


def test_the_charts_are_drawn_with_a_chinese_font() -> None:
    from zongzhi.analytics import charts

    face = charts.font(30)
    assert face.getname()[0] == "Noto Sans CJK SC"
    # A glyph for 化 is not the empty box drawn for a missing character.
    assert face.getmask("化").getbbox() != face.getmask("\uffff").getbbox()
    png = charts.bar_chart([("邻里纠纷", 12), ("劳资纠纷", 3)])
    assert png.startswith(b"\x89PNG")


# --- On a phone -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_leader_downloads_a_meeting_pack_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast, tmp_path: Any
) -> None:
    from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
    from zongzhi.conftest import PASSWORD

    page = phone_page
    sign_in(page, live_server.url, cast.by_role[Role.LEADER].username, PASSWORD)
    page.goto(f"{live_server.url}/analytics/bulletins/")
    page.get_by_label("研判会材料", exact=True).check()
    page.screenshot(path=str(ARTIFACTS / "bulletins-01-form.png"), full_page=True)
    assert fits_the_phone(page)

    # A weekly bulletin is refused with the reason, next to the field.
    page.get_by_label("月通报", exact=True).check()
    page.get_by_label("按周", exact=True).check()
    page.get_by_role("button", name="生成并下载").click()
    page.wait_for_load_state()
    assert "月通报按月生成" in page.get_by_test_id("bulletin-form").inner_text()
    page.screenshot(path=str(ARTIFACTS / "bulletins-02-error.png"), full_page=True)

    page.get_by_label("研判会材料", exact=True).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="生成并下载").click()
    period = bulletins.last_week(today())
    assert download.value.suggested_filename == f"宁州街道{period.label}矛盾纠纷风险研判会材料.docx"
    saved = tmp_path / "pack.docx"
    download.value.save_as(saved)
    assert "研判意见" in docx_text(saved.read_bytes())
