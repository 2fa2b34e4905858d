"""Reads of cases: what a user may see, their work list, what they may do now."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, grants_of, holds, scope_q
from zongzhi.accounts.rules import ROLE_ACTIONS, Action, acting_units
from zongzhi.cases import deadlines, rules
from zongzhi.cases import search as search_rules
from zongzhi.cases.models import (
    Assignment,
    Attachment,
    Case,
    CaseEvent,
    ExtensionRequest,
    Party,
    Summons,
    SupervisionOrder,
)
from zongzhi.cases.models.case import CaseQuerySet, overdue_q
from zongzhi.cases.rules import Status, Step
from zongzhi.regions.rules import Level
from zongzhi.units.models import Unit
from zongzhi.workdays.rules import WorkCalendar
from zongzhi.workdays.selectors import current_calendar

LIST_RELATED = ("category__parent", "region", "lead_unit", "centre")


def visible_cases(user: Actor) -> CaseQuerySet:
    """Every case the user may read."""
    return Case.objects.filter(case_scope_q(user, Action.VIEW_CASE))


def assigned_to(units: list[int]) -> Q:
    """Cases any of these units is on: a semi-join, never a join that repeats rows."""
    return Q(pk__in=Assignment.objects.filter(unit_id__in=units).values("case_id"))


def case_scope_q(user: Actor, action: Action) -> Q:
    return scope_q(user, action, region_prefix="region_prefix", assigned_to=assigned_to)


def _unit_ids(user: Actor, action: Action) -> set[int]:
    return {
        g.unit_id
        for g in grants_of(user)
        if g.unit_id is not None and action in ROLE_ACTIONS[g.role]
    }


def work_q(user: Actor) -> Q:
    """What waits for this user: the centre's queue for intake officers, the unit's cases
    for its people, what a grid worker reported, what a leader must decide."""
    q = Q(pk__in=[])
    triage = holds(user, Action.TRIAGE_CASE)
    if triage:
        # Only the centre now answering for the case sees it in its queue.
        centres = [
            g.region_prefix
            for g in grants_of(user)
            if g.unit_id is None and Action.TRIAGE_CASE in ROLE_ACTIONS[g.role]
        ]
        if user.is_superuser:
            centres = [""]
        for prefix in centres:
            q |= Q(
                centre_prefix__startswith=prefix,
                status__in=[Status.REGISTERED, Status.ACCEPTED, Status.CLOSED, Status.VISITED],
            )
    units = _unit_ids(user, Action.HANDLE_CASE)
    if units:
        q |= assigned_to(sorted(units)) & Q(status__in=list(rules.WITH_A_UNIT))
    if holds(user, Action.SUPERVISE_CASE):
        pending = ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING)
        q |= Q(pk__in=pending.values("case_id"))
        q |= overdue_q(timezone.localdate())
    if user.pk is not None and not triage and not units:
        # A grid worker (or a mediator at a region) follows what they reported; the centre
        # and the units already see their cases above.
        q |= Q(registered_by=user, status__in=list(rules.OPEN))
    return q


def search_q(query: str) -> Q:
    """Cases found by what was typed in the search box (`cases.search`): words of the
    code, title, description, address or a party's name or phone, from `search_text`
    (trigram-indexed on PostgreSQL); a whole code with or without the dash, and a whole
    phone number however spaced, also through their own btree indexes.

    Every branch is one the planner can OR as bitmaps (trigram, code, primary key), so a
    township's search never reads all its cases: a phone's cases are therefore looked up
    first (one query, only for a phone number) rather than joined as a subquery, which
    PostgreSQL can only test row by row."""
    words = search_rules.words_of(query)
    if not words:
        return Q()
    phone = search_rules.phone_of(query)
    # A phone's digits are in the text too, so part of a number is found as typed.
    text = phone or words
    q = Q(search_text__contains=text)
    if len(text) == 2 and connection.vendor == "postgresql":
        # Two characters have no trigram; the pair index (migration 0008) finds them.
        q &= Q(RawSQL("case_bigrams(search_text) @> %s::text[]", ([text],), BooleanField()))
    code = search_rules.code_of(query)
    if code is not None:
        q |= Q(code=code)
    if phone is not None:
        parties = (
            Party.objects.filter(phone_digits=phone)
            .order_by("-case_id")
            .values_list("case_id", flat=True)
        )
        q |= Q(pk__in=list(parties[:PHONE_CASES]))
    return q


# A number that many cases share (a village committee's, a hotline's) finds its newest
# cases by the text anyway; the exact lookup adds at most this many.
PHONE_CASES = 500


# How the work list may be sorted: the key in the URL, and the order it means. Without
# one, the most pressing first.
SORTS: dict[str, tuple[Any, ...]] = {
    "due": (F("due_on").asc(nulls_last=True), "-registered_at"),
    "-due": (F("due_on").desc(nulls_last=True), "-registered_at"),
    "registered": ("registered_at", "pk"),
    "-registered": ("-registered_at", "-pk"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
}


@dataclass(frozen=True)
class CaseFilter:
    """The work list's filters beyond status and overdue, as the search form sends them
    (already parsed: ids and codes that exist, dates in order)."""

    unit: int | None = None
    category: int | None = None  # a top-level category includes its sub-categories
    channel: str = ""
    risk: str = ""
    registered_from: date | None = None
    registered_to: date | None = None
    # 疑似重复: open cases that came in through a door where nobody compared them
    # (zongzhi.intake flags them at registration), for the centre's triage.
    suspected_duplicate: bool = False

    def q(self) -> Q:
        q = Q()
        if self.unit is not None:
            q &= Q(lead_unit_id=self.unit)
        if self.category is not None:
            q &= Q(category_id=self.category) | Q(category__parent_id=self.category)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.risk:
            q &= Q(risk_level=self.risk)
        if self.registered_from is not None:
            q &= Q(registered_at__date__gte=self.registered_from)
        if self.registered_to is not None:
            q &= Q(registered_at__date__lte=self.registered_to)
        if self.suspected_duplicate:
            q &= Q(suspected_duplicate__isnull=False, status__in=rules.OPEN)
        return q


def flagged_duplicates(cases: Any) -> set[int]:
    """Which of these (a page of the work list, from `case_page`, which reads the flag with
    the rows) are open and flagged 疑似重复."""
    return {c.pk for c in cases if getattr(c, "flagged", None) and c.status in rules.OPEN}


def case_list(
    user: Actor,
    *,
    todo: bool,
    status: str = "",
    overdue: bool = False,
    search: str = "",
    filters: CaseFilter | None = None,
    sort: str = "",
) -> QuerySet[Case]:
    cases = visible_cases(user)
    if todo:
        cases = cases.filter(work_q(user))
    # A merged duplicate shows only when asked for by its status; otherwise it counts once,
    # in the case it was merged into.
    known = {s.value for s in Status}
    cases = cases.filter(status=status) if status in known else cases.counted()
    if overdue:
        cases = cases.overdue(timezone.localdate())
    if search:
        cases = cases.filter(search_q(search))
    if filters is not None:
        cases = cases.filter(filters.q())
    # The most pressing first unless asked: the earliest deadline; cases owing nothing last.
    return cases.select_related(*LIST_RELATED).order_by(*SORTS.get(sort, SORTS["due"]))


def case_page(cases: QuerySet[Case], number: Any, per_page: int) -> Page[Case]:
    """One page of a case list in two steps: the page's ids (filtered and sorted from the
    index on region_prefix alone), then those cases with their relations. Fetching the
    page's rows directly would read every matching row before sorting: thousands of
    scattered rows for a township at province scale."""
    page: Page[Any] = Paginator(cases.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    found = (
        Case.objects.select_related(*LIST_RELATED)
        # 疑似重复 (zongzhi.intake), read with the rows rather than by a query of its own.
        .annotate(flagged=F("suspected_duplicate__pk"))
        .in_bulk(ids)
    )
    page.object_list = [found[pk] for pk in ids]
    return page


@dataclass(frozen=True)
class Row:
    case: Case
    urgency: deadlines.Urgency


def with_urgency(cases: Any, *, today: date, calendar: WorkCalendar | None = None) -> list[Row]:
    calendar = calendar or current_calendar()
    return [
        Row(
            case=c,
            urgency=deadlines.urgency(
                calendar,
                due_on=c.due_on,
                today=today,
                warn_days=rules.warning_days(c.status, c.warn_days),
                paused=c.paused_since is not None,
            ),
        )
        for c in cases
    ]


def case_for_page(code: str) -> Case | None:
    return (
        Case.objects.select_related(
            "category__parent",
            "region",
            "lead_unit",
            "centre",
            "merged_into",
            "review_of",
            "policy",
        )
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
            "parties",
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
            "related",
            "merged_cases",
            Prefetch("summonses", queryset=Summons.objects.select_related("unit")),
            "supervision_orders",
            Prefetch(
                "extension_requests", queryset=ExtensionRequest.objects.select_related("unit")
            ),
            "pauses",
            "mediation_sessions",
            "agreements",
        )
        .filter(code=code)
        .first()
    )


def timeline(case: Case) -> list[CaseEvent]:
    """The case's entries, and those of the duplicates merged into it, in time order."""
    ids = [case.pk, *(c.pk for c in case.merged_cases.all())]
    return list(
        CaseEvent.objects.filter(case_id__in=ids)
        .select_related("unit", "case")
        .order_by("at", "pk")
    )


# The forms on the case page; both kinds of 回访 are one form.
FORM_OF_STEP = {s: s.value for s in rules.MANUAL_STEPS}
FORM_OF_STEP[Step.VISIT_SATISFIED] = "visit"
FORM_OF_STEP[Step.VISIT_UNSATISFIED] = "visit"
FORM_OF_STEP[Step.ANSWER_SUPERVISION_AT_CENTRE] = "answer_supervision"
# 更正 and the parties: one form each, whichever hand (centre or lead unit) takes the step.
FORM_OF_STEP[Step.CORRECT_FACTS] = "correct"
FORM_OF_STEP[Step.CHANGE_PARTIES] = "add_party"
FORM_OF_STEP[Step.CHANGE_PARTIES_AT_UNIT] = "add_party"


def allowed_forms(user: Actor, case: Case) -> list[str]:
    """The step forms to show this user on this case now: those whose step the rules let
    them take (`rules.refusal`, the same answer the services act on when a form is sent).
    `case` should come from `case_for_page`, which reads what the rules look at."""
    facts = case_facts(user, case)
    forms: list[str] = []
    for step in rules.MANUAL_STEPS:
        if rules.refusal(step, facts) is not None:
            continue
        form = FORM_OF_STEP[step]
        if form not in forms:
            forms.append(form)
    return forms


# The actions some step needs; the actor's right to each is one fact about the case.
STEP_ACTIONS = frozenset(a for t in rules.STEPS.values() for a in {t.action, *t.also})


@dataclass(frozen=True)
class CaseTies:
    """What the rules read of a case's assignments, extension requests, summonses and
    supervision orders."""

    committees: frozenset[int]  # the units on the case that are mediation committees
    decisions: tuple[str, ...]  # of the extension requests
    summoned_units: frozenset[int]  # summoned and not answered yet
    supervision_unanswered: bool


def _ties_from_prefetch(case: Case) -> CaseTies:
    committee = Unit.Kind.MEDIATION_COMMITTEE
    return CaseTies(
        committees=frozenset(a.unit_id for a in case.assignments.all() if a.unit.kind == committee),
        decisions=tuple(e.decision for e in case.extension_requests.all()),
        summoned_units=frozenset(s.unit_id for s in case.summonses.all() if s.answered_at is None),
        supervision_unanswered=any(o.answered_at is None for o in case.supervision_orders.all()),
    )


def case_ties(case_id: int) -> CaseTies:
    """`CaseTies` of one case in one query (a step's locked fetch would otherwise prefetch
    four relations: four queries on every step of every case)."""
    tables = {
        "a": Assignment._meta.db_table,
        "u": Unit._meta.db_table,
        "e": ExtensionRequest._meta.db_table,
        "s": Summons._meta.db_table,
        "o": SupervisionOrder._meta.db_table,
    }
    # Table names are our models', not input; the one value is a parameter (hence S608).
    # Every branch gives the same types (PostgreSQL matches a UNION's columns by type).
    sql = (  # noqa: S608
        "SELECT 'a', a.unit_id, u.kind, 0 FROM {a} a JOIN {u} u ON u.id = a.unit_id "
        "WHERE a.case_id = %s "
        "UNION ALL SELECT 'e', NULL, e.decision, 0 FROM {e} e WHERE e.case_id = %s "
        "UNION ALL SELECT 's', s.unit_id, NULL, "
        "CASE WHEN s.answered_at IS NULL THEN 1 ELSE 0 END FROM {s} s WHERE s.case_id = %s "
        "UNION ALL SELECT 'o', NULL, NULL, "
        "CASE WHEN o.answered_at IS NULL THEN 1 ELSE 0 END FROM {o} o WHERE o.case_id = %s"
    ).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id] * 4)
        rows = cursor.fetchall()
    committee = Unit.Kind.MEDIATION_COMMITTEE
    return CaseTies(
        committees=frozenset(u for k, u, kind, _ in rows if k == "a" and kind == committee),
        decisions=tuple(d for k, _, d, _ in rows if k == "e"),
        summoned_units=frozenset(u for k, u, _, open_ in rows if k == "s" and open_),
        supervision_unanswered=any(open_ for k, _, _, open_ in rows if k == "o"),
    )


def case_facts(user: Actor, case: Case, ties: CaseTies | None = None) -> rules.CaseFacts:
    """What `rules.refusal` needs to know of the case and of `user`. Without `ties`, it
    reads the case's assignments (with their units), extension requests, summonses and
    supervision orders through `.all()`, so a case fetched with those prefetched
    (`case_for_page`) costs no further query."""
    if ties is None:
        ties = _ties_from_prefetch(case)
    grants = grants_of(user)
    target = case.scope_target()
    committees = set(ties.committees)
    if case.lead_unit is not None and case.lead_unit.kind == Unit.Kind.MEDIATION_COMMITTEE:
        committees.add(case.lead_unit.pk)
    return rules.CaseFacts(
        status=case.status_enum,
        permitted=frozenset(a for a in STEP_ACTIONS if can(user, a, case.target_for(a))),
        acts_for_every_unit=user.is_superuser,
        handling_units=acting_units(grants, Action.HANDLE_CASE, target),
        mediating_units=acting_units(grants, Action.MEDIATE_CASE, target),
        lead_unit=case.lead_unit_id,
        committees=frozenset(committees),
        paused=case.paused_since is not None,
        extension_pending=ExtensionRequest.Decision.PENDING in ties.decisions,
        extensions_granted=ties.decisions.count(ExtensionRequest.Decision.GRANTED),
        is_petition=case.is_petition,
        summoned_units=ties.summoned_units,
        supervision_unanswered=ties.supervision_unanswered,
        centre_level=Level(case.centre.level),
        centre_has_parent=case.centre.parent_id is not None,
    )


def supervision_list(user: Actor, *, today: date) -> dict[str, Any]:
    """A leader's view: overdue cases, cases near their deadline, extensions to decide,
    orders and summonses not answered."""
    cases = visible_cases(user).select_related(*LIST_RELATED)
    open_cases = cases.filter(status__in=list(rules.OPEN))
    # The warning window is counted in working days; two weeks of calendar days holds
    # every window a policy sets (at most a few working days), holidays included.
    soon = open_cases.filter(
        due_on__gte=today, due_on__lte=today + timedelta(days=14), paused_since__isnull=True
    ).order_by("due_on")
    return {
        "near": [
            row for row in with_urgency(soon, today=today) if row.urgency == deadlines.Urgency.NEAR
        ],
        "overdue": cases.overdue(today).order_by("due_on"),
        "extensions": ExtensionRequest.objects.filter(
            decision=ExtensionRequest.Decision.PENDING, case__in=visible_cases(user)
        )
        .select_related("case", "unit")
        .order_by("requested_at"),
        "orders": SupervisionOrder.objects.filter(
            answered_at__isnull=True,
            case__in=visible_cases(user),
            case__status__in=list(rules.OPEN),
        )
        .select_related("case", "case__lead_unit")
        .order_by("answer_due_on"),
        "summonses": Summons.objects.filter(
            answered_at__isnull=True,
            case__in=visible_cases(user),
            case__status__in=list(rules.OPEN),
        )
        .select_related("case", "unit")
        .order_by("answer_due_on"),
    }


def work_counts(user: Actor, *, today: date) -> dict[str, int]:
    """The numbers on the home page: what waits for the user, and how much of it is late."""
    mine = visible_cases(user).filter(work_q(user))
    return {
        "todo": mine.count(),
        "overdue": mine.overdue(today).count(),
    }
