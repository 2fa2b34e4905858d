"""Intake intelligence's work: training the category model on the centre's own closed
cases, answering a request with suggestions, and attaching a repeated request to the
case it repeats.

Nothing here sets a case's category, unit or urgency: the answers are for a person to
confirm at the counter, and the same `suggest` answers the counter, the grid worker's
form and `POST /api/cases/suggest`.
"""

import io
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import joblib
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import grants_of, require
from zongzhi.accounts.rules import Action, Role, Target
from zongzhi.cases import routing
from zongzhi.cases import services as case_services
from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.rules import Step
from zongzhi.cases.selectors import case_scope_q
from zongzhi.categories.models import Category
from zongzhi.core.services import Created
from zongzhi.intake import rules, selectors
from zongzhi.intake.models import SuggestionModel
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

HELD_OUT = 5  # one case in five is kept back to measure the model on


@dataclass(frozen=True)
class Suggestions:
    categories: list[tuple[Category, float]]
    units: list[tuple[Unit, float]]
    duplicates: list[selectors.Found]
    flags: list[rules.Flag]
    # "model": the trained model answered; "keywords": too little history, the category
    # names and keywords answered (or nothing matched, and nothing is guessed).
    source: str
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- Training --------------------------------------------------------------------------


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    # Character 1–3-grams: Chinese needs no word cutting for this (and jieba over a
    # million texts would take most of an hour); SGD is linear in the number of cases.
    return make_pipeline(
        TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, max_features=400_000
        ),
        SGDClassifier(loss="log_loss", alpha=2e-6, max_iter=20, tol=1e-4, random_state=0),
    )


def _text(title: str, description: str) -> str:
    return f"{title}。{description}"


def _held_out(n: int) -> list[bool]:
    """A fixed fifth of the cases, by a seeded shuffle: the same cases every run."""
    marks = [i % HELD_OUT == 0 for i in range(n)]
    random.Random(2026).shuffle(marks)  # noqa: S311 - a sample, not a secret
    return marks


def evaluate(
    model: Any, texts: list[str], labels: list[str], parents: dict[str, str]
) -> dict[str, Any]:
    """Top-level top-1, second-level top-1 and top-3, overall and per category."""
    proba = model.predict_proba(texts)
    classes = list(model.classes_)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for row, label in zip(proba, labels, strict=True):
        order = sorted(range(len(classes)), key=lambda i: -row[i])
        top3 = [classes[i] for i in order[:3]]
        by_parent: Counter[str] = Counter()
        for i, p in enumerate(row):
            by_parent[parents[classes[i]]] += p
        hits = {
            "top1": top3[0] == label,
            "top3": label in top3,
            "top1_top_level": by_parent.most_common(1)[0][0] == parents[label],
        }
        for key, hit in hits.items():
            totals[key] += hit
            per[label][key] += hit
        totals["n"] += 1
        per[label]["n"] += 1
    n = totals["n"] or 1
    return {
        "held_out": totals["n"],
        "top1_top_level": round(totals["top1_top_level"] / n, 4),
        "top1": round(totals["top1"] / n, 4),
        "top3": round(totals["top3"] / n, 4),
        "per_category": {
            code: {
                "n": c["n"],
                "top1": round(c["top1"] / c["n"], 4),
                "top3": round(c["top3"] / c["n"], 4),
            }
            for code, c in sorted(per.items())
        },
    }


def _history() -> tuple[list[str], list[str]]:
    rows = Case.objects.filter(status__in=selectors.CLOSED).values_list(
        "title", "description", "category__code"
    )
    texts, labels = [], []
    for title, description, code in rows.iterator(chunk_size=5000):
        texts.append(_text(title, description))
        labels.append(code)
    return texts, labels


def _unit_table() -> dict[str, dict[str, dict[str, int]]]:
    """Per centre and category, how many cases each lead unit closed without returning
    them (a unit that sent it back was the wrong one, even if it ended up closing)."""
    returned = CaseEvent.objects.filter(
        case=OuterRef("pk"), step=Step.RETURN, unit_id=OuterRef("lead_unit_id")
    )
    rows = (
        Case.objects.filter(status__in=selectors.CLOSED, lead_unit__isnull=False)
        .exclude(Exists(returned))
        .values_list("centre_prefix", "category__code", "lead_unit_id")
    )
    table: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for centre, code, unit in rows.iterator(chunk_size=5000):
        table[centre][code][str(unit)] += 1
    return {c: {k: dict(v) for k, v in cats.items()} for c, cats in table.items()}


def train_suggestions() -> SuggestionModel:
    """Train a new version on every closed or archived case (imported history included),
    measured on a held-out fifth, then refitted on all of it. With too little history it
    records so, and the suggestions keep to the keywords."""
    started = time.perf_counter()
    texts, labels = _history()
    counts = Counter(labels)
    enough = sorted(c for c, n in counts.items() if n >= rules.MIN_PER_CATEGORY)
    now = timezone.now()
    if len(enough) < rules.MIN_CATEGORIES:
        return SuggestionModel.objects.create(
            trained_at=now,
            state=SuggestionModel.State.TOO_LITTLE,
            cases=len(labels),
            message=f"已办结事项不足：至少{rules.MIN_CATEGORIES}个二级分类各有"
            f"{rules.MIN_PER_CATEGORY}件已办结事项才训练模型（现有{len(enough)}个）；"
            "在此之前按分类名称和关键词建议。",
        )
    keep = [i for i, code in enumerate(labels) if code in set(enough)]
    texts = [texts[i] for i in keep]
    labels = [labels[i] for i in keep]
    parents = dict(Category.objects.filter(code__in=enough).values_list("code", "parent__code"))
    marks = _held_out(len(texts))
    train = [i for i, m in enumerate(marks) if not m]
    test = [i for i, m in enumerate(marks) if m]
    measured = _pipeline().fit([texts[i] for i in train], [labels[i] for i in train])
    evaluation = evaluate(measured, [texts[i] for i in test], [labels[i] for i in test], parents)
    model = _pipeline().fit(texts, labels)
    blob = io.BytesIO()
    joblib.dump(model, blob, compress=3)
    left_out = sorted(set(counts) - set(enough))
    return SuggestionModel.objects.create(
        trained_at=now,
        state=SuggestionModel.State.READY,
        cases=len(texts),
        categories=enough,
        evaluation=evaluation,
        units=_unit_table(),
        message=(
            f"以下分类已办结事项不足{rules.MIN_PER_CATEGORY}件，按关键词建议："
            + "、".join(left_out)
            if left_out
            else ""
        ),
        seconds=round(time.perf_counter() - started, 2),
        blob=blob.getvalue(),
    )


# --- Answering -------------------------------------------------------------------------

_LOADED: dict[int, Any] = {}


def current_model() -> tuple[SuggestionModel | None, Any]:
    """The newest ready version and its fitted pipeline (loaded once per process)."""
    version = (
        SuggestionModel.objects.filter(state=SuggestionModel.State.READY)
        .defer("blob")
        .order_by("-trained_at", "-pk")
        .first()
    )
    if version is None:
        return None, None
    if version.pk not in _LOADED:
        blob = SuggestionModel.objects.filter(pk=version.pk).values_list("blob", flat=True)[0]
        _LOADED.clear()
        _LOADED[version.pk] = joblib.load(io.BytesIO(bytes(blob)))
    return version, _LOADED[version.pk]


def _categories(text: str, model: Any) -> tuple[list[tuple[str, float]], str]:
    if model is not None:
        row = model.predict_proba([text])[0]
        ranked = sorted(zip(model.classes_, row, strict=True), key=lambda p: -p[1])[:3]
        return [(str(c), round(float(p), 3)) for c, p in ranked], "model"
    infos = [
        rules.CategoryInfo(code, name, parent_code, parent_name)
        for code, name, parent_code, parent_name in Category.objects.filter(
            parent__isnull=False, is_active=True
        ).values_list("code", "name", "parent__code", "parent__name")
    ]
    return rules.keyword_categories(text, infos), "keywords"


def _units(
    version: SuggestionModel | None, centre: Region, ranked: list[tuple[Category, float]]
) -> list[tuple[Unit, float]]:
    """The routing rule's unit for the likeliest category, and the units that closed such
    cases at this centre without returning them, by how often."""
    scores: dict[int, float] = defaultdict(float)
    if ranked:
        probe = Case(category=ranked[0][0], centre=centre)
        routed = routing.suggest(probe)
        if routed is not None:
            scores[routed.pk] += 1.0
    if version is not None:
        table = version.units.get(centre.prefix, {})
        for category, weight in ranked:
            closed = table.get(category.code, {})
            total = sum(closed.values()) or 1
            for unit, n in closed.items():
                scores[int(unit)] += weight * n / total
    if not scores:
        return []
    units = Unit.objects.in_bulk(list(scores))
    total = sum(scores.values())
    return [
        (units[pk], round(s / total, 3))
        for pk, s in sorted(scores.items(), key=lambda p: -p[1])[:3]
        if pk in units
    ]


def suggest(
    *,
    by: Actor,
    title: str,
    description: str,
    region: Region,
    phones: list[str] = [],  # noqa: B006 - read only
    category: Category | None = None,
    point: tuple[float, float] | None = None,
    people_count: int | None = None,
) -> Suggestions:
    """Suggestions for a request not yet registered, for someone who may register cases at
    `region`: categories, lead units, the open cases it may repeat (only those the asker
    may read) and urgency cues. With `category` given (the counter's form), duplicates
    are compared under it; otherwise under the likeliest suggested one."""
    require(by, Action.REGISTER_CASE, Target(region_prefix=region.prefix))
    text = _text(title, description)
    version, model = current_model()
    codes, source = _categories(text, model)
    found = Category.objects.select_related("parent").in_bulk(
        [c for c, _ in codes], field_name="code"
    )
    ranked = [(found[c], s) for c, s in codes if c in found]
    centre = case_services.centre_for(region)
    new = selectors.report_of(
        title=title,
        description=description,
        place=region,
        phones=phones,
        category=category or (ranked[0][0] if ranked else None),
        point=point,
    )
    duplicates = selectors.likely_duplicates(new, place=region, readable=_readable(by))
    note = ""
    if source == "keywords":
        note = (
            "历史数据不足，暂按分类名称和关键词建议"
            if ranked
            else "历史数据不足，未能从文字判断分类"
        )
    return Suggestions(
        categories=ranked,
        units=_units(version, centre, ranked),
        duplicates=duplicates,
        flags=rules.urgency_flags(text, people_count),
        source=source,
        note=note,
    )


def _readable(by: Actor) -> Q:
    """The cases the asker may read: as the cases API, a client system (对接系统) reads
    only the cases it registered itself."""
    q = case_scope_q(by, Action.VIEW_CASE)
    pk = getattr(by, "pk", None)
    if pk is not None and any(g.role == Role.CLIENT_SYSTEM for g in grants_of(by)):
        q |= Q(registered_by_id=pk)
    return q


# --- Attaching a repeated request --------------------------------------------------------


def register_into(
    *, by: Actor, new: case_services.NewCase, into: Case, idempotency_key: str | None
) -> Created[Case]:
    """并入: register the request as it was told (its words, its parties, its files: never
    lost) and merge it at once into the case it repeats, through the merge service, so
    it is counted there, once. One transaction: both or neither."""
    with transaction.atomic():
        new.duplicates_checked = True
        made = case_services.case_register_from_form(
            by=by, new=new, idempotency_key=idempotency_key
        )
        if made.created:
            case_services.case_merge(by=by, case=made.record, into=into, note="登记时并入")
    return made
