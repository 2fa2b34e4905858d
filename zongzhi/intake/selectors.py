"""Reads for intake intelligence: the cases a new request may repeat, and closed cases
like a given one (类案参考)."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zongzhi.cases.models import Case, Party
from zongzhi.cases.rules import OPEN, Status
from zongzhi.cases.search import digits
from zongzhi.categories.models import Category
from zongzhi.intake import rules
from zongzhi.intake.models import CaseWords
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level

# Statuses a new report may be merged into (the merge service's own rule): still open, or
# closed and not yet visited. The newest POOL_LIMIT of a township's are compared.
MERGEABLE = [*OPEN, Status.CLOSED]
POOL_LIMIT = 400
SHOWN = 5  # duplicates answered at most
SHOWN_FROM = rules.LIKELY / 2  # below this a case is not worth a look


def text_digest(title: str, description: str) -> str:
    return hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()[:16]


def case_words(title: str, description: str) -> list[str]:
    return rules.words(f"{title}。{description}")


def township_prefix(region: Region) -> str:
    """The township a place lies in (the county itself for a county-level place)."""
    if region.level <= Level.COUNTY:
        return region.prefix
    return region.prefix[: PREFIX_LENGTH[Level.TOWNSHIP]]


@dataclass(frozen=True)
class Found:
    case_id: int
    code: str
    title: str
    match: rules.Match


def category_codes() -> dict[int, tuple[str, str]]:
    """id → (code, parent's code) of every category: a few dozen rows."""
    found = Category.objects.values_list("pk", "code", "parent__code")
    return {pk: (code, parent or "") for pk, code, parent in found}


def candidates(*, place: Region, exclude: int | None = None, readable: Q | None = None) -> Q:
    """Cases of the place's township, registered within ZONGZHI_SAME_SOURCE_DAYS, open or
    just closed: bounded by region prefix and date, the case list's own index."""
    since = timezone.now() - timedelta(days=settings.ZONGZHI_SAME_SOURCE_DAYS)
    q = Q(
        region_prefix__startswith=township_prefix(place),
        registered_at__gte=since,
        status__in=MERGEABLE,
    )
    if exclude is not None:
        q &= ~Q(pk=exclude)
    if readable is not None:
        q &= readable
    return q


def likely_duplicates(
    new: rules.Report, *, place: Region, exclude: int | None = None, readable: Q | None = None
) -> list[Found]:
    """The open or recent cases that may be the matter `new` reports, best first: those
    scoring at least SHOWN_FROM, at most SHOWN. `readable` narrows them to what the asker
    may read."""
    rows = list(
        Case.objects.filter(candidates(place=place, exclude=exclude, readable=readable))
        .order_by("-registered_at")
        .values_list(
            "pk", "code", "title", "description", "region_prefix", "lng", "lat", "category_id"
        )[:POOL_LIMIT]
    )
    if not rows:
        return []
    ids = [r[0] for r in rows]
    phones: dict[int, set[str]] = {}
    for case_id, number in (
        Party.objects.filter(case_id__in=ids)
        .exclude(phone_digits="")
        .values_list("case_id", "phone_digits")
    ):
        phones.setdefault(case_id, set()).add(number)
    kept = {
        c: (d, w)
        for c, d, w in CaseWords.objects.filter(case_id__in=ids).values_list(
            "case_id", "digest", "words"
        )
    }
    codes = category_codes()
    pool: list[rules.Report] = []
    for pk, _code, title, description, prefix, lng, lat, category in rows:
        digest, text = kept.get(pk, ("", ""))
        cut = (
            text.split()
            if digest == text_digest(title, description)
            else case_words(title, description)
        )
        code, parent = codes.get(category, ("", ""))
        pool.append(
            rules.Report(
                words=cut,
                place=prefix,
                phones=frozenset(phones.get(pk, ())),
                category=code,
                parent=parent,
                point=(lng, lat) if lng is not None and lat is not None else None,
            )
        )
    found = [
        Found(case_id=row[0], code=row[1], title=row[2], match=m)
        for row, m in zip(rows, rules.rank(new, pool), strict=True)
        if m.score >= SHOWN_FROM
    ]
    found.sort(key=lambda f: -f.match.score)
    return found[:SHOWN]


def report_of(
    *,
    title: str,
    description: str,
    place: Region,
    phones: list[str],
    category: Category | None,
    point: tuple[float, float] | None = None,
) -> rules.Report:
    return rules.Report(
        words=case_words(title, description),
        place=place.prefix,
        phones=frozenset(d for d in (digits(p) for p in phones) if d),
        category=category.code if category is not None else "",
        parent=category.parent.code if category is not None and category.parent else "",
        point=point,
    )


# --- 类案参考 --------------------------------------------------------------------------

CLOSED = [Status.CLOSED, Status.VISITED, Status.ARCHIVED]
SIMILAR_POOL = 300
SIMILAR_SHOWN = 5


@dataclass(frozen=True)
class Similar:
    case: Case
    score: float


def similar_closed(case: Case, *, readable: Q) -> list[Similar]:
    """Closed cases of the same second-level category that the viewer may read, most like
    this one first (the newest SIMILAR_POOL compared): how such matters ended."""
    pool = list(
        Case.objects.filter(readable, category_id=case.category_id, status__in=CLOSED)
        .exclude(pk=case.pk)
        .exclude(outcome="")
        .select_related("lead_unit")
        .order_by("-registered_at")[:SIMILAR_POOL]
    )
    if not pool:
        return []
    # Character pairs, not jieba's words: cutting 300 texts would take most of a second,
    # and a ranking to read needs no threshold.
    new = rules.bigrams(f"{case.title}。{case.description}")
    others = [rules.bigrams(f"{c.title}。{c.description}") for c in pool]
    df, n = rules.idf_table([new, *others])
    v = rules.vector(new, df, n)
    scored = [
        Similar(case=c, score=round(rules.cosine(v, rules.vector(o, df, n)), 3))
        for c, o in zip(pool, others, strict=True)
    ]
    scored.sort(key=lambda s: -s.score)
    return [s for s in scored[:SIMILAR_SHOWN] if s.score > 0]
