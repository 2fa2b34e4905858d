"""Hotspots and repeat requests: where a kind of problem is piling up, and which problems
keep coming back.

*Hotspots* (热点): a village-level place × a second-level category whose cases received in
the recent window (30 days by default) rise above that cell's usual level, measured over
the windows before it. Counted from the rollups (the `received` counter), so a hotspot's
count is the same number the dashboard would show for that place, category and period.

*Repeat requests* (重复诉求): cases about the same problem — the same village-level place,
the same category, registered within REPEAT_DAYS of each other, with similar titles. A
repeat after an earlier case was closed says that the closing did not settle it.

Both are about places and problems, never about people: nothing here reads a case's
parties, and nothing groups cases by who made them (SPEC.md: a complaint is never a mark
against the person who made it).
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from django.db.models import Case as Choose
from django.db.models import IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from zongzhi.analytics.models import CaseRollup
from zongzhi.cases.models import Case, Party
from zongzhi.cases.models.case import CaseQuerySet
from zongzhi.cases.rules import Status
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level

# A place is a village (村/社区): cases at a grid or a building count at their village; a
# case registered at a township or county stays there (it has no village).
PLACE_LENGTH = PREFIX_LENGTH[Level.VILLAGE]

# --- The hotspot rule ------------------------------------------------------------------

WINDOW_DAYS = 30  # the recent window: the last 30 days, today included
BASELINE_WINDOWS = 6  # the usual level: the six windows of 30 days before it
MIN_CASES = 3  # fewer cases than this in the window is never a hotspot
SD_FACTOR = 2  # "rising above": more than mean + 2 × the spread of the baseline
# Below this mean the baseline is too thin to have a spread worth the name (a cell with
# one case every other month): then "rising" means at least RATIO × the mean.
SMALL_BASELINE_MEAN = 2.0
RATIO = 2


@dataclass(frozen=True)
class Baseline:
    """A cell's usual level over the baseline windows, and the count that would make the
    recent window a hotspot."""

    mean: float
    spread: float
    needed: int  # the least count in the window that is a hotspot


def baseline(history: Sequence[int]) -> Baseline:
    """The hotspot rule, for the counts of the windows before (empty windows as 0).

    - Never fewer than MIN_CASES.
    - A thin baseline (mean < SMALL_BASELINE_MEAN): at least RATIO × the mean.
    - Otherwise: more than mean + SD_FACTOR × spread, where the spread is the standard
      deviation of the history but never less than √mean — counts of cases vary by about
      √mean by chance alone, so a history that happens to be flat (10, 10, 10 …) does not
      turn an eleventh case into a hotspot.

    The threshold depends on the history only, so more cases in the window never remove
    a hotspot; and a count at or below the usual level never is one.
    """
    n = len(history)
    mean = sum(history) / n if n else 0.0
    sd = math.sqrt(sum((h - mean) ** 2 for h in history) / n) if n else 0.0
    if mean < SMALL_BASELINE_MEAN:
        spread = sd
        needed = math.ceil(RATIO * mean - 1e-9)
    else:
        spread = max(sd, math.sqrt(mean))
        needed = math.floor(mean + SD_FACTOR * spread) + 1
    return Baseline(mean=mean, spread=spread, needed=max(MIN_CASES, needed))


def is_hotspot(count: int, history: Sequence[int]) -> bool:
    return count >= baseline(history).needed


@dataclass(frozen=True)
class Windows:
    """The recent window and the baseline windows before it, newest first; each a pair
    of days, both included."""

    recent: tuple[date, date]
    before: tuple[tuple[date, date], ...]

    @property
    def first_day(self) -> date:
        return self.before[-1][0] if self.before else self.recent[0]


def windows(end: date, *, days: int = WINDOW_DAYS, count: int = BASELINE_WINDOWS) -> Windows:
    def window(i: int) -> tuple[date, date]:
        last = end - timedelta(days=i * days)
        return (last - timedelta(days=days - 1), last)

    return Windows(recent=window(0), before=tuple(window(i) for i in range(1, count + 1)))


@dataclass
class Hotspot:
    place: Region | None  # None only if the place has since gone from the register
    place_prefix: str
    category: Category | None
    count: int
    history: list[int]  # the baseline windows, oldest first
    baseline: Baseline
    start: date  # the recent window
    end: date

    @property
    def excess(self) -> float:
        return self.count - self.baseline.mean


def hotspots(
    prefix: str, end: date, *, days: int = WINDOW_DAYS, count: int = BASELINE_WINDOWS
) -> list[Hotspot]:
    """The hotspots under `prefix` for the window ending on `end`: three queries (the
    counts per place × category × window, the places, the categories). Most above their
    usual level first."""
    w = windows(end, days=days, count=count)
    all_windows = (w.recent, *w.before)
    which = Choose(
        *(
            When(day__gte=first, day__lte=last, then=Value(i))
            for i, (first, last) in enumerate(all_windows)
        ),
        output_field=IntegerField(),
    )
    rows = (
        CaseRollup.objects.filter(region_prefix__startswith=prefix)
        .filter(day__gte=w.first_day, day__lte=w.recent[1])
        .annotate(place=Substr("region_prefix", 1, PLACE_LENGTH), window=which)
        .values("place", "category_id", "window")
        .annotate(n=Sum("received"))
        .order_by()
    )
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * len(all_windows))
    for row in rows:
        counts[(row["place"], row["category_id"])][row["window"]] += int(row["n"] or 0)
    found = []
    for (place, category), by_window in counts.items():
        history = list(reversed(by_window[1:]))
        rule = baseline(history)
        if by_window[0] >= rule.needed:
            found.append((place, category, by_window[0], history, rule))
    places = Region.objects.in_bulk({f[0] for f in found}, field_name="prefix") if found else {}
    categories = (
        Category.objects.select_related("parent").in_bulk({f[1] for f in found}) if found else {}
    )
    result = [
        Hotspot(
            place=places.get(place),
            place_prefix=place,
            category=categories.get(category),
            count=n,
            history=history,
            baseline=rule,
            start=w.recent[0],
            end=w.recent[1],
        )
        for place, category, n, history, rule in found
    ]
    result.sort(key=lambda h: (-h.excess, -h.count, h.place_prefix, str(h.category)))
    return result


def hotspot_cases(
    cases: CaseQuerySet, place_prefix: str, category_id: int, start: date, end: date
) -> QuerySet[Case]:
    """The cases behind a hotspot's count, out of `cases` (those the reader may view):
    received at the place (its subtree) in the category in the window — the conditions
    the rollup's `received` counts."""
    # A village's cases include its grids' and buildings'; a township's or county's own
    # "place" holds only the cases registered at it (the rest lie in its villages).
    at_place = (
        {"region_prefix__startswith": place_prefix}
        if len(place_prefix) >= PLACE_LENGTH
        else {"region_prefix": place_prefix}
    )
    return (
        cases.counted()
        .filter(
            **at_place,
            category_id=category_id,
            registered_at__date__gte=start,
            registered_at__date__lte=end,
        )
        .order_by("-registered_at", "-pk")
    )


# --- Keeping people out of it --------------------------------------------------------


def people_named(cases: QuerySet[Case]) -> dict[int, list[str]]:
    """The names of the people who are parties to these cases, by case: one query. Only
    to take them out of titles — never to show or to group by."""
    names: dict[int, list[str]] = defaultdict(list)
    people = Party.objects.filter(case__in=cases.values("pk"), kind=Party.Kind.PERSON)
    for case_id, name in people.values_list("case_id", "name"):
        if name.strip():
            names[case_id].append(name.strip())
    return names


def without_names(title: str, names: Iterable[str], *, shown: bool = True) -> str:
    """The title with every party's name taken out: shown as 张某 (the surname and 某),
    or blanked for grouping, so that two titles are never alike for naming one person."""
    for name in sorted(names, key=len, reverse=True):
        title = title.replace(name, f"{name[0]}某" if shown else " ")
    return title


# --- Repeat requests -------------------------------------------------------------------

REPEAT_DAYS = 90  # two cases this close (by registration day) may be the same problem
SIMILARITY = 0.5  # Jaccard similarity of the titles' word sets, at least
MIN_TOKEN = 2  # single characters (的, 了, 在 …) and punctuation say nothing
# Words that say how someone asked, not what about: two titles sharing only these are not
# about the same problem.
STOPWORDS = frozenset(
    {
        "反映",
        "反应",
        "问题",
        "要求",
        "请求",
        "希望",
        "诉求",
        "关于",
        "有关",
        "事项",
        "情况",
        "投诉",
        "举报",
        "咨询",
        "求助",
        "处理",
        "解决",
        "协调",
        "纠纷",
        "矛盾",
        "群众",
        "村民",
        "居民",
        "我们",
        "他们",
        "一直",
        "多次",
        "再次",
        "仍然",
        "还是",
        "没有",
        "至今",
        "未果",
    }
)
_WORD = re.compile(r"\w", re.UNICODE)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on every worker's start
    return jieba


def title_words(title: str) -> frozenset[str]:
    """The words of a title that can say what it is about."""
    return frozenset(
        word
        for word in (w.strip() for w in _jieba().lcut(title))
        if len(word) >= MIN_TOKEN and word not in STOPWORDS and _WORD.search(word)
    )


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard: shared words ÷ all words; 0 when either title has no telling word."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Request:
    """What grouping needs of a case, and nothing about who made it."""

    id: int
    place: str  # village-level prefix
    category: int
    day: date  # registered
    words: frozenset[str]


def _last_within(bucket: list[Request], i: int) -> int:
    """The last index of the (day-sorted) bucket within REPEAT_DAYS of request i."""
    last = i
    while last + 1 < len(bucket) and (bucket[last + 1].day - bucket[i].day).days <= REPEAT_DAYS:
        last += 1
    return last


def _components(n: int, links: Iterable[tuple[int, int]]) -> list[int]:
    """Union-find: for each of n items, the representative of its linked component."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in links:
        parent[root(j)] = root(i)
    return [root(i) for i in range(n)]


def group_repeats(requests: Iterable[Request]) -> list[list[Request]]:
    """Groups of two or more requests about the same problem: the same place and
    category, registered within REPEAT_DAYS of each other, titles at least SIMILARITY
    alike. Linked requests join one group (a chain: each repeats an earlier one). Each
    group oldest first; groups by their first request."""
    buckets: dict[tuple[str, int], list[Request]] = defaultdict(list)
    for r in requests:
        buckets[(r.place, r.category)].append(r)
    groups: list[list[Request]] = []
    for bucket in buckets.values():
        if len(bucket) < 2:
            continue
        bucket.sort(key=lambda r: (r.day, r.id))
        links = [
            (i, j)
            for i, a in enumerate(bucket)
            for j in range(i + 1, _last_within(bucket, i) + 1)
            if similarity(a.words, bucket[j].words) >= SIMILARITY
        ]
        members: dict[int, list[Request]] = defaultdict(list)
        for i, root in enumerate(_components(len(bucket), links)):
            members[root].append(bucket[i])
        groups.extend(g for g in members.values() if len(g) >= 2)
    groups.sort(key=lambda g: (g[0].day, g[0].id))
    return groups


_CLOSED_STATUSES = {Status.CLOSED, Status.VISITED, Status.ARCHIVED}


@dataclass
class RepeatCase:
    case: Any  # a row of Case values: code, title, status, dates (never the parties)
    after_closure: bool  # registered after an earlier case of the group was closed

    @property
    def closed(self) -> bool:
        return self.case["status"] in _CLOSED_STATUSES and self.case["closed_on"] is not None


@dataclass
class RepeatGroup:
    place: Region | None
    place_prefix: str
    category: Category | None
    cases: list[RepeatCase] = field(default_factory=list)

    @property
    def after_closure(self) -> bool:
        """A repeat came after an earlier case was closed: the problem was not settled."""
        return any(c.after_closure for c in self.cases)

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.cases[0].case["registered_at"]).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.cases[-1].case["registered_at"]).date()


CASE_FIELDS = (
    "pk",
    "code",
    "title",
    "status",
    "region_prefix",
    "category_id",
    "registered_at",
    "closed_on",
)


def repeats(cases: CaseQuerySet, prefix: str, start: date, end: date) -> list[RepeatGroup]:
    """The repeat requests among `cases` (those the reader may view) under `prefix`,
    registered from `start` to `end`: four queries (the cases' plain fields, the parties'
    names to take out of the titles, the places, the categories). Groups with a repeat
    after closure first, then the larger ones. Titles come with people's names masked."""
    chosen = (
        cases.counted()
        .filter(
            region_prefix__startswith=prefix,
            registered_at__date__gte=start,
            registered_at__date__lte=end,
        )
        # A request refused as outside the centre's remit (不予受理) is not a problem the
        # centre left unsettled.
        .exclude(status=Status.REJECTED)
    )
    rows = list(chosen.values(*CASE_FIELDS))
    if not rows:
        return []
    names = people_named(chosen)
    # Only cells with two cases or more can hold a repeat: tokenise only those titles.
    cells: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        cells[(row["region_prefix"][:PLACE_LENGTH], row["category_id"])] += 1
    by_id = {row["pk"]: row for row in rows}
    requests = [
        Request(
            id=row["pk"],
            place=row["region_prefix"][:PLACE_LENGTH],
            category=row["category_id"],
            day=timezone.localtime(row["registered_at"]).date(),
            words=title_words(without_names(row["title"], names[row["pk"]], shown=False)),
        )
        for row in rows
        if cells[(row["region_prefix"][:PLACE_LENGTH], row["category_id"])] >= 2
    ]
    groups = group_repeats(requests)
    if not groups:
        return []
    places = Region.objects.in_bulk({g[0].place for g in groups}, field_name="prefix")
    categories = Category.objects.select_related("parent").in_bulk({g[0].category for g in groups})
    result = []
    for group in groups:
        members: list[RepeatCase] = []
        for request in group:
            row = {**by_id[request.id]}
            row["title"] = without_names(row["title"], names[request.id])
            closed_before = any(m.closed and m.case["closed_on"] <= request.day for m in members)
            members.append(RepeatCase(case=row, after_closure=closed_before))
        result.append(
            RepeatGroup(
                place=places.get(group[0].place),
                place_prefix=group[0].place,
                category=categories.get(group[0].category),
                cases=members,
            )
        )
    result.sort(key=lambda g: (not g.after_closure, -len(g.cases), g.first_day))
    return result
