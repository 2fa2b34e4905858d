"""Hotspots (热点) and repeat requests (重复诉求): the rule that says a place × category has
risen above its usual level, the grouping of requests about the same problem, and the two
pages — scoped to the reader's grants, linking only to cases they may view, and never
naming the people who asked."""

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.accounts.rules import Role
from zongzhi.analytics import hotspots as spots
from zongzhi.analytics import rollups
from zongzhi.analytics.tests.seeds import seed_cases
from zongzhi.cases import services
from zongzhi.cases.models import Case, Party
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, category, new_case, registered
from zongzhi.conftest import Cast, make_user
from zongzhi.regions.models import Region

HOTSPOTS = reverse("analytics:hotspots")
REPEATS = reverse("analytics:repeats")

histories = st.lists(st.integers(0, 60), min_size=spots.BASELINE_WINDOWS, max_size=6)


# --- The rule (pure) -------------------------------------------------------------------


@given(histories, st.integers(0, 100), st.integers(0, 50))
def test_more_cases_never_remove_a_hotspot(history: list[int], count: int, more: int) -> None:
    if spots.is_hotspot(count, history):
        assert spots.is_hotspot(count + more, history)


@given(st.integers(0, 60), st.integers(1, 12))
def test_a_flat_history_never_flags_its_own_level(level: int, windows: int) -> None:
    assert not spots.is_hotspot(level, [level] * windows)


@given(histories, st.integers(0, 100))
def test_a_count_at_or_below_the_usual_level_is_never_a_hotspot(
    history: list[int], count: int
) -> None:
    mean = sum(history) / len(history)
    if count <= mean:
        assert not spots.is_hotspot(count, history)


@given(histories, st.integers(0, spots.MIN_CASES - 1))
def test_fewer_than_the_minimum_is_never_a_hotspot(history: list[int], count: int) -> None:
    assert not spots.is_hotspot(count, history)


@given(histories, st.integers(0, 100), st.randoms())
def test_the_order_of_the_history_does_not_matter(
    history: list[int], count: int, random: Any
) -> None:
    shuffled = history[:]
    random.shuffle(shuffled)
    assert spots.is_hotspot(count, history) == spots.is_hotspot(count, shuffled)


@given(st.integers(spots.MIN_CASES, 100))
def test_a_new_cluster_with_no_history_is_a_hotspot(count: int) -> None:
    assert spots.is_hotspot(count, [0] * spots.BASELINE_WINDOWS)


def test_the_rule_in_numbers() -> None:
    # A steady 10 a month: chance alone moves it by about √10, so 16 is not yet a rise
    # (10 + 2·√10 = 16.3) and 17 is.
    assert spots.baseline([10] * 6).needed == 17
    assert not spots.is_hotspot(16, [10] * 6)
    assert spots.is_hotspot(17, [10] * 6)
    # A spread-out history widens the band: mean 10, standard deviation 5 → above 20.
    assert spots.baseline([5, 15, 5, 15, 5, 15]).needed == 21
    # A thin baseline (one case a month): twice that, but never fewer than three.
    assert spots.baseline([1] * 6).needed == spots.MIN_CASES
    assert spots.baseline([0, 0, 0, 3, 3, 3]).needed == 3
    assert spots.baseline([1, 2, 1, 2, 1, 2]).needed == 3  # mean 1.5 → 2 × 1.5
    assert spots.baseline([2, 1, 2, 2, 2, 2]).needed == 4  # mean 1.83 → 3.67 → 4


def test_the_windows_are_thirty_days_each_ending_on_the_day_asked() -> None:
    w = spots.windows(date(2026, 3, 31))
    assert w.recent == (date(2026, 3, 2), date(2026, 3, 31))
    assert w.before[0] == (date(2026, 1, 31), date(2026, 3, 1))
    assert len(w.before) == spots.BASELINE_WINDOWS
    assert w.first_day == date(2026, 3, 31) - timedelta(days=7 * 30 - 1)


# --- Repeats: the grouping (pure) ------------------------------------------------------


def test_titles_that_differ_only_in_how_they_ask_are_alike() -> None:
    a = spots.title_words("反映邻居占道堆放杂物问题")
    b = spots.title_words("邻居又在占道堆放杂物")
    assert a == b == {"邻居", "堆放", "杂物"}
    assert spots.similarity(a, b) == 1
    assert spots.similarity(a, spots.title_words("拖欠工资")) == 0
    # A title with nothing telling is like nothing.
    assert spots.similarity(spots.title_words("反映问题"), spots.title_words("反映问题")) == 0


def test_names_are_masked_for_showing_and_blanked_for_grouping() -> None:
    assert spots.without_names("王小明诉李大伟漏水", ["王小明", "李大伟"]) == "王某诉李某漏水"
    words = spots.title_words(
        spots.without_names("王小明诉李大伟漏水", ["王小明", "李大伟"], shown=False)
    )
    assert words == {"漏水"}


def request(i: int, place: str, category: int, day: int, words: str) -> spots.Request:
    return spots.Request(
        id=i,
        place=place,
        category=category,
        day=date(2026, 1, 1) + timedelta(days=day),
        words=frozenset(words.split()),
    )


requests_st = st.lists(
    st.builds(
        lambda i, place, category, day, words: request(i, place, category, day, " ".join(words)),
        st.integers(1, 10_000),
        st.sampled_from(["530424001001", "530424102201"]),
        st.sampled_from([1, 2]),
        st.integers(0, 400),
        st.sets(st.sampled_from(["漏水", "噪音", "邻居", "杂物", "工资", "拖欠"]), max_size=3),
    ),
    max_size=25,
    unique_by=lambda r: r.id,
)


@given(requests_st, st.randoms())
def test_groups_never_mix_places_or_categories_and_hold_two_or_more(
    requests: list[spots.Request], random: Any
) -> None:
    groups = spots.group_repeats(requests)
    seen: set[int] = set()
    for group in groups:
        assert len(group) >= 2
        assert len({(r.place, r.category) for r in group}) == 1
        assert [r.day for r in group] == sorted(r.day for r in group)
        # Every member repeats another one of the group within the span, alike enough.
        for r in group:
            assert any(
                o is not r
                and abs((o.day - r.day).days) <= spots.REPEAT_DAYS
                and spots.similarity(o.words, r.words) >= spots.SIMILARITY
                for o in group
            )
        ids = {r.id for r in group}
        assert not ids & seen
        seen |= ids
    # The input's order changes nothing.
    shuffled = requests[:]
    random.shuffle(shuffled)
    assert spots.group_repeats(shuffled) == groups


def test_the_same_problem_is_grouped_only_within_ninety_days_at_one_place() -> None:
    v1, v2 = "530424001001", "530424102201"
    a = request(1, v1, 1, 0, "邻居 杂物")
    b = request(2, v1, 1, spots.REPEAT_DAYS, "邻居 杂物")
    too_late = request(3, v1, 1, 2 * spots.REPEAT_DAYS + 1, "邻居 杂物")
    elsewhere = request(4, v2, 1, 1, "邻居 杂物")
    other_kind = request(5, v1, 2, 1, "邻居 杂物")
    other_problem = request(6, v1, 1, 2, "拖欠 工资")
    groups = spots.group_repeats([too_late, elsewhere, other_kind, other_problem, b, a])
    assert groups == [[a, b]]


# --- The data -------------------------------------------------------------------------


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def seed_history(region: Region, code: str, history: list[int], recent: int, today: date) -> None:
    """Case rows straight to the table (a counting test): `history[i]` cases in the i-th
    30-day window before the recent one (oldest first), `recent` in the recent one."""
    w = spots.windows(today)
    for (first, _last), n in zip(reversed(w.before), history, strict=True):
        if n:
            seed_cases(
                region,
                category(code),
                total=n,
                resolved=n,
                registered_at=noon(first),
                rebuild=False,
            )
    if recent:
        seed_cases(
            region,
            category(code),
            total=recent,
            resolved=recent,
            registered_at=noon(w.recent[1]),
            rebuild=False,
        )


@pytest.fixture
def county_leader(cast: Cast) -> Any:
    return make_user("county_leader", Role.LEADER, region=cast.places.county)


def test_the_query_finds_the_cell_that_rose_and_only_that(cast: Cast) -> None:
    today = timezone.localdate()
    p = cast.places
    seed_history(p.g1, "LLJF01", [1, 0, 1, 1, 0, 1], 5, today)  # rose: a hotspot at v1
    seed_history(p.v1, "LZJF01", [4, 4, 4, 4, 4, 4], 4, today)  # as usual
    seed_history(p.g2, "LLJF01", [0] * 6, 2, today)  # too few
    seed_history(p.t1, "HYJT01", [0] * 6, 3, today)  # at the township itself
    rollups.rebuild_rollups()

    found = spots.hotspots(p.county.prefix, today)
    assert [(h.place, h.category.code if h.category else "", h.count) for h in found] == [
        (p.v1, "LLJF01", 5),
        (p.t1, "HYJT01", 3),
    ]
    v1 = found[0]
    assert v1.history == [1, 0, 1, 1, 0, 1]
    assert v1.place_prefix == p.v1.prefix
    # One more case where it rose keeps it; the subtree decides what is looked at.
    assert [h.place for h in spots.hotspots(p.t2.prefix, today)] == []
    assert {h.place for h in spots.hotspots(p.t1.prefix, today)} == {p.v1, p.t1}
    # A window that ended before the rise has no hotspot.
    assert spots.hotspots(p.county.prefix, today - timedelta(days=31)) == []


def test_the_query_reads_three_queries_however_many_hotspots(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    for code in ("LLJF01", "LLJF02", "LZJF01", "HYJT01", "QT01"):
        seed_history(cast.places.g1, code, [0] * 6, 3, today)
        seed_history(cast.places.g2, code, [0] * 6, 3, today)
    rollups.rebuild_rollups()
    with django_assert_max_num_queries(3):
        found = spots.hotspots(cast.places.county.prefix, today)
        assert all(h.place is not None and h.category is not None for h in found)
    assert len(found) == 10


# --- The hotspots page -----------------------------------------------------------------


def test_the_page_lists_the_hotspots_of_the_readers_place_with_links_to_their_cases(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    seed_history(cast.places.g1, "LLJF01", [0, 1, 0, 1, 0, 0], 4, today)
    seed_history(cast.places.g2, "LLJF01", [0] * 6, 6, today)  # township T2: not theirs
    rollups.rebuild_rollups()
    leader = cast.client_for(cast.by_role[Role.LEADER])
    with django_assert_max_num_queries(9):
        response = leader.get(HOTSPOTS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "右所社区" in page and "邻里纠纷 / 相邻关系" in page
    assert "大龙潭村" not in page
    assert [r["hotspot"].count for r in response.context["rows"]] == [4]
    drill_url = response.context["rows"][0]["url"]
    assert f"place={cast.places.v1.prefix}" in drill_url and "category=LLJF01" in drill_url

    with django_assert_max_num_queries(13):
        drill = leader.get(HOTSPOTS + drill_url)
    assert drill.status_code == 200
    cases = drill.context["drill"]["cases"]
    assert len(cases) == 4
    codes = set(
        Case.objects.filter(
            region_prefix__startswith=cast.places.v1.prefix,
            category__code="LLJF01",
            registered_at__date__gte=today - timedelta(days=29),
        ).values_list("code", flat=True)
    )
    assert {c["code"] for c in cases} == codes
    for code in codes:
        assert reverse("cases:detail", args=[code]) in drill.content.decode()


def test_the_page_costs_the_same_however_many_hotspots(
    cast: Cast, county_leader: Any, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    for code in ("LLJF01", "LLJF02", "LZJF01", "HYJT01", "QT01"):
        for place in (cast.places.g1, cast.places.g2, cast.places.t1):
            seed_history(place, code, [0] * 6, 3, today)
    rollups.rebuild_rollups()
    client = cast.client_for(county_leader)
    with django_assert_max_num_queries(9):
        response = client.get(HOTSPOTS, {"region": cast.places.county.code})
    assert len(response.context["rows"]) == 15


def test_a_place_outside_the_readers_grants_does_not_exist(cast: Cast) -> None:
    leader = cast.client_for(cast.by_role[Role.LEADER])
    assert leader.get(HOTSPOTS, {"region": cast.places.t2.code}).status_code == 404
    assert leader.get(REPEATS, {"region": cast.places.county.code}).status_code == 404
    # Nor a drill into a place of another township, through one's own region.
    response = leader.get(
        HOTSPOTS,
        {"region": cast.places.t1.code, "place": cast.places.v2.prefix, "category": "LLJF01"},
    )
    assert response.status_code == 404


def test_only_analytics_readers_see_the_pages(cast: Cast) -> None:
    for role in (Role.GRID_WORKER, Role.MEDIATOR, Role.UNIT_HANDLER, Role.CARE_WORKER):
        client = cast.client_for(cast.by_role[role])
        assert client.get(HOTSPOTS).status_code == 403, role
        assert client.get(REPEATS).status_code == 403, role
    assert Client().get(HOTSPOTS).status_code == 302  # to the login page
    intake = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert intake.get(HOTSPOTS).status_code == 200
    assert intake.get(REPEATS).status_code == 200


def test_a_wrong_date_is_named_and_the_page_still_answers(cast: Cast) -> None:
    leader = cast.client_for(cast.by_role[Role.LEADER])
    response = leader.get(HOTSPOTS, {"end": "2026-02-30"})
    assert response.status_code == 400
    assert "截止日期格式不对" in response.content.decode()
    response = leader.get(REPEATS, {"from": "2026-03-01", "to": "2026-01-01"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()


# --- Repeats and people ----------------------------------------------------------------

PEOPLE = ("王小明", "李大伟", "13900000001", "13900000002")


def with_people(title: str, **overrides: Any) -> dict[str, Any]:
    return {
        "title": title,
        "parties": [
            services.NewParty(role=Party.Role.APPLICANT, name="王小明", phone="13900000001"),
            services.NewParty(role=Party.Role.RESPONDENT, name="李大伟", phone="13900000002"),
        ],
        **overrides,
    }


def test_a_request_repeated_after_closing_is_shown_first_without_anyone_named(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    first = case_in(cast, Status.CLOSED, **with_people("王小明反映邻居占道堆放杂物"))
    again = registered(cast, **with_people("邻居又在占道堆放杂物"))
    # Two requests open at once about the same noise: a repeat, not after closure.
    noise = [
        registered(cast, **with_people("小区夜间施工噪音扰民", category=category("HJBH01")))
        for _ in range(2)
    ]
    # The same people about different things are not a repeat of each other.
    registered(cast, **with_people("王小明诉李大伟漏水", category=category("LLJF03")))
    registered(cast, **with_people("王小明诉李大伟噪音", category=category("LLJF03")))

    leader = cast.client_for(cast.by_role[Role.LEADER])
    with django_assert_max_num_queries(9):
        response = leader.get(REPEATS)
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [[m.case["code"] for m in g.cases] for g in groups] == [
        [first.code, again.code],
        sorted((c.code for c in noise), key=lambda c: Case.objects.get(code=c).pk),
    ]
    assert groups[0].after_closure and [m.after_closure for m in groups[0].cases] == [
        False,
        True,
    ]
    assert not groups[1].after_closure
    assert groups[0].place == cast.places.v1
    page = response.content.decode()
    assert "办结后再次反映" in page
    for code in (first.code, again.code, *(c.code for c in noise)):
        assert reverse("cases:detail", args=[code]) in page
    # The title is shown with the name masked; nobody's name or number appears.
    assert "王某反映邻居占道堆放杂物" in page
    for text in PEOPLE:
        assert text not in page


def test_the_hotspot_cases_never_name_the_people_either(cast: Cast) -> None:
    for _ in range(3):
        registered(cast, **with_people("王小明反映邻居占道堆放杂物"))
    rollups.rebuild_rollups()
    leader = cast.client_for(cast.by_role[Role.LEADER])
    response = leader.get(HOTSPOTS)
    assert len(response.context["rows"]) == 1
    drill = leader.get(HOTSPOTS + response.context["rows"][0]["url"])
    page = drill.content.decode()
    assert page.count("王某反映邻居占道堆放杂物") == 3
    for text in PEOPLE:
        assert text not in page
        assert text not in response.content.decode()


def test_repeats_list_only_cases_the_reader_may_view(cast: Cast, county_leader: Any) -> None:
    # Two alike requests in each township: the T1 leader sees only T1's group.
    registered(cast, **with_people("邻居占道堆放杂物"))
    registered(cast, **with_people("邻居占道堆放杂物"))
    t2 = [
        services.case_register(
            by=cast.outsider,
            new=new_case(**with_people("邻居占道堆放杂物", region=cast.places.g2)),
        )
        for _ in range(2)
    ]
    leader = cast.client_for(cast.by_role[Role.LEADER])
    groups = leader.get(REPEATS).context["groups"]
    assert len(groups) == 1 and groups[0].place == cast.places.v1
    everything = cast.client_for(county_leader).get(REPEATS).context["groups"]
    assert {g.place for g in everything} == {cast.places.v1, cast.places.v2}
    page = leader.get(REPEATS).content.decode()
    for case in t2:
        assert case.code not in page


# --- On a phone -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_leader_finds_a_hotspot_and_a_repeat_on_a_phone(
    live_server: Any, phone_page: Any, cast: Cast
) -> None:
    from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
    from zongzhi.conftest import PASSWORD

    today = timezone.localdate()
    p = cast.places
    seed_history(p.g1, "LLJF01", [1, 0, 2, 1, 0, 1], 6, today)
    seed_history(p.v1, "HJBH01", [0, 0, 0, 0, 1, 0], 3, today)
    seed_history(p.t1, "LZJF01", [4, 5, 3, 4, 6, 4], 13, today)
    # The seeded rows share one title; made distinct, they are not repeats of each other.
    Case.objects.update(title=Concat(Value("批量事项"), "code"))
    first = case_in(cast, Status.CLOSED, **with_people("王小明反映邻居占道堆放杂物"))
    again = registered(cast, **with_people("邻居又在占道堆放杂物，影响通行"))
    rollups.rebuild_rollups()

    page = phone_page
    sign_in(page, live_server.url, "t1_leader", PASSWORD)
    page.goto(f"{live_server.url}{HOTSPOTS}")
    listed = page.get_by_test_id("hotspots")
    assert listed.locator("li").count() == 3
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "analytics-hotspots-phone.png"), full_page=True)

    listed.locator("li", has_text="相邻关系").get_by_role("link", name="查看事项").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("drill-cases").locator("li").count() == 8  # 6 + the two below
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "analytics-hotspots-drill-phone.png"), full_page=True)

    page.get_by_role("link", name="重复诉求").click()
    page.wait_for_load_state()
    group = page.get_by_test_id("repeat-group")
    assert group.count() == 1
    assert "办结后再次反映" in group.inner_text()
    assert first.code in group.inner_text() and again.code in group.inner_text()
    assert "王小明" not in page.content()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "analytics-repeats-phone.png"), full_page=True)
    group.get_by_role("link", name=again.title).click()
    page.wait_for_url(f"{live_server.url}/cases/{again.code}/")
    assert first.code != again.code
