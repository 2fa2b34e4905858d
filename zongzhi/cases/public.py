"""What a resident may see of a case: its public progress. The portal, Open311 and the
tracking code all read a case through here, so there is one answer to "what does the
public see".

Public: the category, the status in plain words, dates, the unit handling it (a public
body), the deadline, why it was not accepted (the law requires telling the resident), the
outcome and the reply written for the resident, and the return-visit result. Never:
internal notes, mediation sessions, supervision and summons, the parties, other cases.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.rules import Status, Step

# The reporter of a request made without a name (the portal's anonymous option, an Open311
# client that sends none): intake needs a party, and this is who it is.
ANONYMOUS_NAME = "匿名群众"

# Open311 has two statuses; ours fold into them. A case is open while someone still owes
# the resident an answer.
OPEN311_OPEN = frozenset(
    {Status.REGISTERED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS}
)


def open311_status(status: str) -> str:
    return "open" if status in OPEN311_OPEN else "closed"


def public_status_name(status: str) -> str:
    """The status as a resident reads it (staff statuses like 待签收 mean nothing to them)."""
    names = {
        Status.REGISTERED: _("已登记，等待受理"),
        Status.ACCEPTED: _("已受理，正在交办"),
        Status.REJECTED: _("不予受理"),
        Status.DISPATCHED: _("已交办"),
        Status.IN_PROGRESS: _("办理中"),
        Status.CLOSED: _("已办结，等待回访"),
        Status.VISITED: _("已办结"),
        Status.ARCHIVED: _("已办结"),
        Status.MERGED: _("已与同一事项合并办理"),
    }
    return str(names[Status(status)])


@dataclass(frozen=True)
class PublicUpdate:
    """One line of public progress; `id` is the timeline entry's, stable for clients."""

    id: int
    at: datetime
    status: str  # the case's status after this step
    text: str
    satisfaction: str = ""  # on a return visit: satisfied / basically / unsatisfied


def day_text(value: date | str) -> str:
    """A date as the reader's language writes it (2026年12月8日 / Dec. 8, 2026); an ISO
    string (as timelines keep dates) is read first."""
    day = parse_date(value) if isinstance(value, str) else value
    return date_format(day) if day else str(value)


def _text(event: CaseEvent) -> str | None:
    """The public wording of a timeline entry, or None when the step is internal."""
    data: dict[str, Any] = event.data or {}
    step = event.step
    if step == Step.REGISTER:
        return _("事项已登记")
    if step == Step.ACCEPT:
        due = data.get("due_on")
        return _("已受理，办理期限至%(due)s") % {"due": day_text(due)} if due else _("已受理")
    if step == Step.REJECT:
        return _("不予受理。理由：%(reason)s") % {"reason": event.note}
    if step in {Step.DISPATCH, Step.TRANSFER} and data.get("lead_unit"):
        return _("已交由%(unit)s办理") % {"unit": data["lead_unit"]}
    if step == Step.RETURN:
        return _("正在重新交办")
    if step == Step.ESCALATE:
        return _("已提交上级综治中心办理")
    if step == Step.START:
        return _("承办单位已签收，正在办理")
    if step == Step.GRANT_EXTENSION and data.get("due_on"):
        return _("办理期限延长至%(due)s") % {"due": day_text(data["due_on"])}
    if step == Step.CLOSE:
        outcome = Case.Outcome(data["outcome"]).label if data.get("outcome") else ""
        reply = data.get("reply", "")
        text = _("已办结：%(outcome)s") % {"outcome": outcome}
        return _("%(outcome)s。%(reply)s") % {"outcome": text, "reply": reply} if reply else text
    if step == Step.VISIT_SATISFIED:
        return _("回访：%(result)s") % {
            "result": Case.Satisfaction(data.get("satisfaction", "satisfied")).label
        }
    if step == Step.VISIT_UNSATISFIED:
        return _("回访：不满意，已重新交办理")
    if step == Step.MERGE:
        return _("与反映同一问题的事项合并办理")
    return None


def public_updates(case: Case, *, since: date | None = None) -> list[PublicUpdate]:
    """The case's public progress, oldest first (one query)."""
    events = CaseEvent.objects.filter(case=case).order_by("at", "pk")
    if since is not None:
        events = events.filter(at__date__gte=since)
    return list(_updates(events.only("pk", "case_id", "step", "to_status", "at", "note", "data")))


def _updates(events: Any) -> list[PublicUpdate]:
    updates = []
    for event in events:
        text = _text(event)
        if text is None:
            continue
        satisfaction = ""
        if event.step in {Step.VISIT_SATISFIED, Step.VISIT_UNSATISFIED}:
            satisfaction = (event.data or {}).get("satisfaction", "")
        updates.append(
            PublicUpdate(
                id=event.pk,
                at=event.at,
                status=event.to_status,
                text=text,
                satisfaction=satisfaction,
            )
        )
    return updates


def public_updates_between(
    cases: Any, start: datetime, end: datetime
) -> list[tuple[str, PublicUpdate]]:
    """(tracking code, update) for every public update of `cases` in [start, end): the
    mySociety `servicerequestupdates` feed. One query."""
    events = (
        CaseEvent.objects.filter(case__in=cases, at__gte=start, at__lt=end)
        .select_related("case")
        .only("pk", "step", "to_status", "at", "note", "data", "case__code")
        .order_by("at", "pk")
    )
    rows = list(events)
    updates = _updates(rows)
    codes = {e.pk: e.case.code for e in rows}
    return [(codes[u.id], u) for u in updates]


def public_reply(case: Case) -> str:
    """The latest reply written for the resident when the case was closed, if any."""
    event = CaseEvent.objects.filter(case=case, step=Step.CLOSE).order_by("-at", "-pk").first()
    return (event.data or {}).get("reply", "") if event else ""
