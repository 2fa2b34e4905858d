"""The dashboard (统计分析), the records behind its figures and the grid map's data.

Most cases here are written straight to the table (analytics/tests/case_rows.py and
seeds.py): these tests are about counting, and what they count must be varied and many.
The permission tests make their cases through the services."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zongzhi.accounts.rules import Role
from zongzhi.analytics import indicators, rollups, selectors
from zongzhi.analytics.tests import case_rows
from zongzhi.analytics.tests.case_rows import DAY0, Shape
from zongzhi.analytics.tests.seeds import SEED_RATE, seed_3099
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, category, new_case
from zongzhi.conftest import Cast, make_user

S = Status
O = Case.Outcome  # noqa: E741
SAT = Case.Satisfaction

# A small varied register: every status, outcomes that resolve and that do not, late and
# on-time closings, satisfied and not, deadlines passed and not.
SHAPES = (
    Shape(S.REGISTERED, due_after=2),
    Shape(S.REJECTED),
    Shape(S.ACCEPTED, accepted_after=1, due_after=5),
    Shape(S.DISPATCHED, accepted_after=0, due_after=-1, with_unit=True),
    Shape(S.IN_PROGRESS, accepted_after=1, due_after=400, with_unit=True),
    Shape(
        S.IN_PROGRESS, accepted_after=0, due_after=3, satisfaction=SAT.UNSATISFIED, with_unit=True
    ),
    Shape(S.CLOSED, 0, 4, 10, O.MEDIATED, with_unit=True),
    Shape(S.CLOSED, 1, 20, 10, O.NOT_MEDIATED, with_unit=True),
    Shape(S.CLOSED, 0, 2, None, O.UNFOUNDED, with_unit=True),
    Shape(S.VISITED, 0, 5, 15, O.HANDLED, SAT.SATISFIED, with_unit=True),
    Shape(S.VISITED, 1, 30, 15, O.EXPLAINED, SAT.BASICALLY, with_unit=True),
    Shape(S.ARCHIVED, 0, 3, None, O.PARTLY, SAT.SATISFIED, with_unit=True),
    Shape(S.ARCHIVED),
)
JAN = {"from": "2026-01-01", "to": "2026-01-31"}


def varied(cast: Cast, *, copies: int = 1, day: date = DAY0) -> list[Case]:
    """The SHAPES in grid G1, village V1, township T1 and (outside the cast) grid G2,
    over several categories, channels and units, all registered in January 2026."""
    cats = case_rows.categories()
    p, u = cast.places, cast.units
    places = [
        (p.g1, u.t1_station),
        (p.v1, u.v1_committee),
        (p.t1, u.t1_station),
        (p.g2, u.t2_station),
    ]
    rows = []
    n = 0
    for _ in range(copies):
        for region, unit in places:
            for shape in SHAPES:
                rows.append(
                    case_rows.build(
                        region=region,
                        category=cats[n % len(cats)],
                        channel=case_rows.CHANNELS[n % len(case_rows.CHANNELS)],
                        registered_at=case_rows.at(day + timedelta(days=n % 28), (n * 37) % 1440),
                        shape=shape,
                        unit=unit,
                    )
                )
                n += 1
    made = Case.objects.bulk_create(rows)
    rollups.rebuild_rollups()
    return made


def leader(cast: Cast) -> Any:
    return cast.client_for(cast.by_role[Role.LEADER])


def tile_text(html: str, code: str) -> str:
    match = re.search(
        rf'data-indicator="{code}"[^>]*>\s*<a href="[^"]*"><span class="n">([^<]*)</span>', html
    )
    assert match, f"no tile for {code}"
    return match.group(1)


# --- Who may look --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.GRID_WORKER, Role.UNIT_HANDLER, Role.CARE_WORKER, Role.ADMINISTRATOR]
)
def test_people_without_analytics_get_403_everywhere(cast: Cast, role: Role) -> None:
    client = cast.client_for(cast.by_role[role])
    for name in ("analytics:dashboard", "analytics:records", "analytics:map_data"):
        response = client.get(reverse(name), {"indicator": "received"})
        assert response.status_code == 403, name


def test_a_leader_of_t1_sees_t1_and_cannot_get_t2(cast: Cast) -> None:
    case_in(cast, Status.CLOSED)  # through the services, in G1 (township T1)
    services.case_register(by=cast.outsider, new=new_case(region=cast.places.g2))  # in T2
    rollups.refresh_rollups()
    client = leader(cast)
    today = timezone.localdate()

    page = client.get(reverse("analytics:dashboard"))
    assert page.status_code == 200
    assert page.context["region"] == cast.places.t1  # the grant's place by default
    assert [r.code for r in page.context["choices"]] == [cast.places.t1.code, cast.places.v1.code]
    shown = indicators.figures(cast.places.t1.prefix, today.replace(day=1), today, today)
    assert tile_text(page.content.decode(), "received") == "1" == shown["received"].display
    assert tile_text(page.content.decode(), "resolution_rate") == "100.00%"

    t2 = cast.places.t2.code
    assert client.get(reverse("analytics:dashboard"), {"region": t2}).status_code == 404
    assert (
        client.get(reverse("analytics:dashboard"), {"region": cast.places.county.code}).status_code
        == 404
    )
    records = client.get(reverse("analytics:records"), {"indicator": "received", "region": t2})
    assert records.status_code == 404
    assert client.get(reverse("analytics:map_data"), {"region": t2}).status_code == 404

    # The outsider, in T2, sees T2's one case and not T1's.
    outsider = cast.client_for(cast.outsider)
    page = outsider.get(reverse("analytics:dashboard"))
    assert page.context["region"] == cast.places.t2
    assert tile_text(page.content.decode(), "received") == "1"
    assert (
        outsider.get(reverse("analytics:dashboard"), {"region": cast.places.t1.code}).status_code
        == 404
    )


def test_the_intake_officer_may_look_too_and_a_village_is_pickable(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = client.get(reverse("analytics:dashboard"), {"region": cast.places.v1.code})
    assert page.status_code == 200
    assert page.context["region"] == cast.places.v1
    # A village's places below are its grids, each linking to the dashboard for it.
    assert [r["place"] for r in page.context["places"]] == [cast.places.g1]
    assert f"region={cast.places.g1.code}" in page.context["places"][0]["url"]
    assert client.get(page.context["places"][0]["url"]).status_code == 200


# --- The figures -----------------------------------------------------------------------


def test_the_figures_shown_are_the_indicators_figures(cast: Cast) -> None:
    varied(cast)
    county_leader = make_user("county_leader", Role.LEADER, region=cast.places.county)
    client = cast.client_for(county_leader)
    today = timezone.localdate()
    for place in (cast.places.county, cast.places.t1, cast.places.v1, cast.places.g1):
        page = client.get(
            reverse("analytics:dashboard"), {"region": place.code, "period": "custom", **JAN}
        )
        assert page.status_code == 200
        html = page.content.decode()
        expected = indicators.figures(place.prefix, date(2026, 1, 1), date(2026, 1, 31), today)
        for code in selectors.HEADLINE:
            assert tile_text(html, code) == expected[code].display, (place, code)
    # A rate of nothing is "—", never 0% or 100%.
    empty = client.get(reverse("analytics:dashboard"), {"region": cast.places.county.code})
    assert tile_text(empty.content.decode(), "resolution_rate") == "—"
    assert tile_text(empty.content.decode(), "received") == "0"


def test_the_places_below_have_their_own_subtrees_figures(cast: Cast) -> None:
    varied(cast)
    county_leader = make_user("county_leader", Role.LEADER, region=cast.places.county)
    page = cast.client_for(county_leader).get(
        reverse("analytics:dashboard"), {"period": "custom", **JAN}
    )
    assert page.context["region"] == cast.places.county
    today = timezone.localdate()
    rows = {r["place"]: r for r in page.context["places"]}
    assert set(rows) == {cast.places.t1, cast.places.t2}
    for place, row in rows.items():
        expected = indicators.figures(place.prefix, date(2026, 1, 1), date(2026, 1, 31), today)
        shown = dict(zip(selectors.PLACE_COLUMNS, row["cells"], strict=True))
        for code, cell in shown.items():
            assert cell.display == expected[code].display, (place, code)
        assert row["overdue"].value == expected["overdue"].value
        # Each links to the same dashboard, same period, for that place.
        assert f"region={place.code}" in row["url"] and "period=custom" in row["url"]


def test_breakdowns_name_top_categories_channels_and_units(cast: Cast) -> None:
    varied(cast)
    page = leader(cast).get(reverse("analytics:dashboard"), {"period": "custom", **JAN})
    charts = page.context["charts"]
    received = indicators.figures(cast.places.t1.prefix, DAY0, date(2026, 1, 31), DAY0)["received"]
    assert sum(r["received"] for r in charts["category"]) == received.value == 39
    names = {r["name"] for r in charts["category"]}
    assert names <= {c.parent.name if c.parent else c.name for c in case_rows.categories()}
    assert len(names) < len(case_rows.categories())  # second levels added up under the first
    assert {r["name"] for r in charts["channel"]} == {"来访", "来电", "网格员上报", "12345热线"}
    assert sum(r["received"] for r in charts["channel"]) == 39
    assert [r["name"] for r in charts["unit"]] == ["宁州派出所", "右所社区调委会"]
    assert charts["trend"]["months"] == ["2026-01"]
    assert charts["trend"]["received"] == [39]
    # The data is in the page for the charts to draw.
    assert 'id="dash-charts"' in page.content.decode()


def test_the_monthly_trend_has_every_month_of_the_period(cast: Cast) -> None:
    varied(cast, day=date(2026, 3, 1))
    varied(cast)
    page = leader(cast).get(
        reverse("analytics:dashboard"),
        {"period": "custom", "from": "2025-12-15", "to": "2026-04-02"},
    )
    trend = page.context["charts"]["trend"]
    assert trend["months"] == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    assert trend["received"] == [0, 39, 0, 39, 0]
    jan = indicators.figures(cast.places.t1.prefix, DAY0, date(2026, 1, 31), DAY0)
    assert trend["closed"][1] == jan["closed"].value
    assert trend["resolved"][1] == jan["resolved"].value


def test_the_seeds_3099_screened_disputes_show_98_64_percent(cast: Cast) -> None:
    seed_3099(cast.places.g1, category())
    page = leader(cast).get(reverse("analytics:dashboard"))
    html = page.content.decode()
    assert tile_text(html, "resolution_rate") == SEED_RATE == "98.64%"
    assert tile_text(html, "received") == "3099"
    assert tile_text(html, "resolved") == "3057"
    assert "化解数 3057" in html and "受理数 3099" in html
    assert [(r["name"], r["received"]) for r in page.context["charts"]["channel"]] == [
        ("排查发现", 3099)
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "custom", "from": "2026-13-01", "to": "2026-01-31"}, "开始日期格式不对"),
        (
            {"period": "custom", "from": "2026-02-01", "to": "2026-01-31"},
            "结束日期不能早于开始日期",
        ),
        ({"period": "custom", "from": "2026-02-01"}, "请同时填写开始日期和结束日期"),
        ({"period": "custom"}, "自定义期间请填写开始日期和结束日期"),
        ({"period": "decade"}, "统计期间只能选"),
    ],
)
def test_a_bad_period_says_which_field_and_shows_this_month(
    cast: Cast, params: dict[str, str], message: str
) -> None:
    page = leader(cast).get(reverse("analytics:dashboard"), params)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert page.context["period"].kind == "month"


# --- The records behind a figure -------------------------------------------------------


def records_page(client: Any, code: str, region: Any, part: str = "", **extra: str) -> Any:
    params = {"indicator": code, "region": region.code, **JAN, **extra}
    if part:
        params["part"] = part
    return client.get(reverse("analytics:records"), params)


def test_each_figures_records_count_is_the_figure(cast: Cast) -> None:
    varied(cast)
    client = leader(cast)
    today = timezone.localdate()
    for place in (cast.places.t1, cast.places.v1, cast.places.g1):
        figures = indicators.figures(place.prefix, DAY0, date(2026, 1, 31), today)
        for code, indicator in indicators.INDICATORS.items():
            parts = ("numerator", "denominator") if indicator.is_rate else ("numerator",)
            for part in parts:
                page = records_page(client, code, place, part)
                assert page.status_code == 200, (code, part)
                f = figures[code]
                expected = f.denominator if part == "denominator" else f.numerator
                assert page.context["count"] == expected, (place, code, part)
                assert page.context["page"].paginator.count == expected, (place, code, part)
                html = page.content.decode()
                assert f'<strong data-testid="count">{expected}</strong>' in html
                assert indicator.formula in html and indicator.name in html
    # Not nothing: the data set has something behind every figure in T1.
    figures = indicators.figures(cast.places.t1.prefix, DAY0, date(2026, 1, 31), today)
    assert all(f.numerator for f in figures.values())


def test_the_dashboards_links_lead_to_records_of_that_count(cast: Cast) -> None:
    varied(cast)
    client = leader(cast)
    page = client.get(reverse("analytics:dashboard"), {"period": "custom", **JAN})
    for tile in page.context["tiles"]:
        got = client.get(tile.url)
        assert got.context["count"] == tile.figure.numerator
        if tile.figure.indicator.is_rate:
            assert client.get(tile.denominator_url).context["count"] == tile.figure.denominator
            assert client.get(tile.numerator_url).context["count"] == tile.figure.numerator


def test_records_list_cases_that_link_to_their_pages_fifty_a_page(cast: Cast) -> None:
    seed_3099(cast.places.g1, category(), rebuild=False)
    case_in(cast, Status.REGISTERED)
    rollups.rebuild_rollups()
    client = leader(cast)
    page = client.get(
        reverse("analytics:records"),
        {"indicator": "resolution_rate", "region": cast.places.t1.code, "part": "denominator"},
    )
    assert page.context["count"] == 3099
    assert page.context["page"].paginator.num_pages == 62
    assert len(page.context["rows"]) == 50
    first = page.context["rows"][0].case
    assert reverse("cases:detail", args=[first.code]) in page.content.decode()
    assert "化解数 ÷ 受理数" in page.content.decode()
    last = client.get(page.request["PATH_INFO"] + "?" + page.context["query"] + "&page=62")
    assert len(last.context["rows"]) == 3099 - 61 * 50


def test_records_refuse_what_is_not_a_figure_or_not_a_date(cast: Cast) -> None:
    client = leader(cast)
    t1 = cast.places.t1
    assert records_page(client, "nonsense", t1).status_code == 404
    assert records_page(client, "received", t1, "denominator").status_code == 404
    bad = records_page(client, "received", t1, **{"from": "1月1日"})
    assert bad.status_code == 400
    assert "开始日期格式不对" in bad.content.decode()


def test_records_show_only_cases_the_user_may_read(cast: Cast) -> None:
    """A grant for analytics at T1 reads T1's cases; the list never holds more."""
    varied(cast)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = records_page(client, "received", cast.places.t1)
    cases = [row.case for row in page.context["rows"]]
    assert cases and all(c.region_prefix.startswith(cast.places.t1.prefix) for c in cases)


# --- The grid map ------------------------------------------------------------------------


def test_the_map_shades_each_grid_by_its_open_cases(cast: Cast) -> None:
    varied(cast)
    county_leader = make_user("county_leader", Role.LEADER, region=cast.places.county)
    client = cast.client_for(county_leader)
    data = client.get(reverse("analytics:map_data"), {"region": cast.places.county.code, **JAN})
    assert data.status_code == 200
    geo = data.json()
    assert geo["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in geo["features"]}
    assert set(by_code) == {cast.places.g1.code, cast.places.g2.code}
    today = timezone.localdate()
    for grid in (cast.places.g1, cast.places.g2):
        props = by_code[grid.code]["properties"]
        expected = indicators.figures(grid.prefix, DAY0, date(2026, 1, 31), today)["open"]
        assert props["open"] == expected.value == 5
        assert props["name"] == grid.name
        # A click opens the open cases of that grid: the same count.
        assert client.get(props["url"]).context["count"] == props["open"]
        assert by_code[grid.code]["geometry"]["type"] == "Polygon"

    # A leader of T1 gets T1's grid only.
    mine = leader(cast).get(reverse("analytics:map_data"), {"region": cast.places.t1.code, **JAN})
    assert [f["properties"]["code"] for f in mine.json()["features"]] == [cast.places.g1.code]


def test_the_map_refuses_a_bad_date(cast: Cast) -> None:
    response = leader(cast).get(reverse("analytics:map_data"), {"from": "x", "to": "2026-01-01"})
    assert response.status_code == 400
    assert "开始日期格式不对" in response.json()["errors"][0]


# --- Query counts ----------------------------------------------------------------------


def count_queries(client: Any, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


# Three more for the registers beside the cases (screening, hazards, care: one each), and
# one for when the figures were last refreshed.
DASHBOARD_QUERIES = 21
MAP_QUERIES = 6
RECORDS_QUERIES = 10


def test_pages_take_few_queries_however_many_cases(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    county_leader = make_user("county_leader", Role.LEADER, region=cast.places.county)
    client = cast.client_for(county_leader)
    dash = reverse("analytics:dashboard")
    params = {"period": "custom", "from": "2025-12-01", "to": "2026-03-31"}
    varied(cast)
    few = count_queries(client, dash, params)
    varied(cast, copies=4, day=date(2026, 2, 1))
    seed_3099(cast.places.g2, category("LZJF01"), unit=cast.units.t2_station)
    many = count_queries(client, dash, params)
    assert few == many
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        client.get(dash, params)
    with django_assert_max_num_queries(MAP_QUERIES):
        client.get(reverse("analytics:map_data"), {"from": "2025-12-01", "to": "2026-03-31"})
    for code in ("received", "overdue", "satisfaction_rate"):
        with django_assert_max_num_queries(RECORDS_QUERIES):
            page = client.get(
                reverse("analytics:records"),
                {"indicator": code, "from": "2025-12-01", "to": "2026-03-31"},
            )
            assert page.status_code == 200


# --- The rules behind the page (selectors) ---------------------------------------------


@given(today=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_standard_periods_end_today_and_start_where_they_say(today: date) -> None:
    month = selectors.period_of("month", today)
    year = selectors.period_of("year", today)
    last12 = selectors.period_of("last12", today)
    assert month.end == year.end == last12.end == today
    assert month.start == today.replace(day=1)
    assert year.start == date(today.year, 1, 1)
    assert last12.start.day == 1
    assert len(selectors.months_between(last12.start, today)) == 12
    assert selectors.months_between(month.start, today) == [month.start]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(case_rows.shape(), min_size=1, max_size=25), data=st.data())
def test_each_place_sums_its_subtree_and_grid_counts_equal_the_open_records(
    cast: Cast, shapes: list[Shape], data: Any
) -> None:
    Case.objects.all().delete()
    p, u = cast.places, cast.units
    where = [
        (p.g1, u.t1_station),
        (p.v1, u.v1_committee),
        (p.b1, u.t1_station),
        (p.g2, u.t2_station),
        (p.t2, u.t2_station),
    ]
    cats = case_rows.categories()
    rows = []
    for shape in shapes:
        region, unit = data.draw(st.sampled_from(where))
        day = DAY0 + timedelta(days=data.draw(st.integers(0, 60)))
        rows.append(
            case_rows.build(
                region=region,
                category=data.draw(st.sampled_from(cats)),
                channel=data.draw(st.sampled_from(case_rows.CHANNELS)),
                registered_at=case_rows.at(day, data.draw(st.integers(0, 1439))),
                shape=shape,
                unit=unit,
            )
        )
    Case.objects.bulk_create(rows)
    rollups.rebuild_rollups()
    start, end = DAY0 + timedelta(days=10), DAY0 + timedelta(days=40)
    for parent in (p.county, p.t1, p.t2, p.v1, p.g1):
        children = selectors.children_of(parent)
        for row in indicators.by_place(parent.prefix, start, end, children):
            assert row == {
                "key": row["key"],
                **indicators.counter_sums(row["key"].prefix, start, end),
            }
    today = timezone.localdate()
    grids = selectors.open_by_grid(p.county.prefix, start, end)
    for grid in (p.g1, p.g2):
        expected = indicators.records("open", grid.prefix, start, end, today).count()
        assert grids.get(grid.prefix, 0) == expected
    overdue = selectors.overdue_by_place(p.county.prefix, today, [p.t1, p.t2])
    for place in (p.t1, p.t2):
        assert overdue[place.prefix] == indicators.overdue_count(place.prefix, today)


@pytest.mark.parametrize("role", [Role.LEADER, Role.INTAKE_OFFICER])
def test_every_analytics_tab_opens_from_every_analytics_page(cast: Cast, role: Role) -> None:
    """The tab bar joins the dashboard, hotspots, repeats, scorecard, sign-off and the
    bulletins: from each page, every tab it offers opens."""
    client = cast.client_for(cast.by_role[role])
    pages = ["analytics:dashboard", "analytics:hotspots", "analytics:repeats"]
    pages += ["analytics:scorecard", "analytics:signoff", "analytics:bulletin"]
    for name in pages:
        html = client.get(reverse(name)).content.decode()
        tabs = html.split('data-testid="analytics-tabs"')[1].split("</nav>")[0]
        links = re.findall(r'href="([^"]+)"', tabs)
        assert len(links) == 6, name
        for link in links:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, (name, link)


def test_the_registers_beside_the_cases_are_counted_for_the_place(cast: Cast) -> None:
    """Screening on time, hazards by level and care visits on time, from their own
    registers, for the leader's township only; care is a count with no link to a file."""
    from zongzhi.accounts.permissions import SYSTEM
    from zongzhi.care.tests.conftest import open_file
    from zongzhi.hazards.models import Hazard
    from zongzhi.hazards.tests.factories import registered

    p, u = cast.places, cast.units
    reasons = {"level": Hazard.Level.HIGH, "level_reasons": "人数多，情绪激动"}
    registered(cast, **reasons)
    registered(cast, **reasons)
    # Township T2's: not T1's.
    registered(cast, by=SYSTEM, region=p.g2, responsible_unit=u.t2_station, **reasons)
    open_file(cast.by_role[Role.CARE_WORKER], p.v1)
    html = leader(cast).get(reverse("analytics:dashboard")).content.decode()
    section = html.split('data-testid="registers"')[1].split("</section>")[0]
    high = section.split('data-indicator="hazards_high"')[1].split("</article>")[0]
    assert '<span class="n">2</span>' in high and "level=high" in high
    care = section.split('data-indicator="care_visits_on_time_rate"')[1].split("</article>")[0]
    assert "100.00%" in care and "1 / 1" in care and "href" not in care
    assert "/care/" not in section
