"""What the portal does: take a resident's request in, let them look it up, let them rate
the result. Each write goes through the cases services as a named public actor holding
only the one action it takes, after the portal's own checks (the abuse guard here; the
tracking code, and the phone's last digits for a rating, stand in for a sign-in).
"""

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from zongzhi.accounts.actors import PublicActor
from zongzhi.accounts.rules import Action
from zongzhi.cases import services as cases
from zongzhi.cases.models import Case, Party
from zongzhi.cases.public import ANONYMOUS_NAME
from zongzhi.cases.rules import Status
from zongzhi.categories.models import Category
from zongzhi.core.errors import Refused
from zongzhi.core.services import check_same_body
from zongzhi.portal import rules
from zongzhi.portal.models import Throttle
from zongzhi.regions.models import Region

# Who the timeline says acted, and all each may do: register a request (anywhere the form
# offers a place) and make the return visit of a closed case. Reading a case is not theirs:
# the tracking page reads through cases.public after the portal's own checks.
PORTAL = PublicActor("群众（网上）", frozenset({Action.REGISTER_CASE}))
PORTAL_RATING = PublicActor("群众（网上评价）", frozenset({Action.VISIT_CASE}))

# Idempotency keys of portal forms live in their own namespace beside the API's.
KEY_PREFIX = "portal:"
_TICKET_SALT = "zongzhi.portal.form-ticket"
_SUBMITTED_SALT = "zongzhi.portal.submitted"


class Throttled(Exception):
    """Refused by the abuse guard: why, and from when another attempt is admitted."""

    def __init__(self, reason: str, retry_at: datetime) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_at = retry_at

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until then, for the Retry-After header."""
        return max(1, int((self.retry_at - now).total_seconds() + 0.999))

    def message(self, now: datetime) -> str:
        local = timezone.localtime(self.retry_at)
        if local.date() == timezone.localtime(now).date():
            when = local.strftime("%H:%M")
            if (self.retry_at - now) < timedelta(minutes=1):
                return _("%(reason)s请过几秒钟再试。") % {"reason": self.reason}
        else:
            when = _("%(month)s月%(day)s日 %(time)s") % {
                "month": local.month,
                "day": local.day,
                "time": local.strftime("%H:%M"),
            }
        return _("%(reason)s请在%(when)s以后再试。") % {"reason": self.reason, "when": when}


def _reason(limit: rules.Limit) -> str:
    return {
        rules.SUBMIT_PER_IP.scope: _("同一网络每小时最多提交%(count)s次，已达上限。"),
        rules.SUBMIT_PER_PHONE.scope: _("同一电话号码每天最多提交%(count)s次，已达上限。"),
        rules.LOOKUP_PER_IP.scope: _("查询过于频繁（同一网络每小时最多%(count)s次）。"),
        rules.RATE_TRIES_PER_CASE.scope: _("电话号码后四位输错次数过多（每天最多%(count)s次）。"),
    }[limit.scope] % {"count": limit.count}


# --- The counters -----------------------------------------------------------------------


def sender_digest(scope: str, value: str) -> str:
    """A keyed digest of an address, a phone number or a code: the counters never hold
    the value itself."""
    return salted_hmac(f"zongzhi.portal.{scope}", value, algorithm="sha256").hexdigest()


def _from_ts(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.get_current_timezone())


def _locked(limit: rules.Limit, digest: str, now: datetime) -> Throttle:
    """The counter row, locked until the transaction ends (created when missing), so that
    two web workers counting the same sender take turns."""
    row = Throttle.objects.select_for_update().filter(scope=limit.scope, digest=digest).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Throttle.objects.create(scope=limit.scope, digest=digest, expires_at=now)
    except IntegrityError:  # another worker created it a moment ago
        return Throttle.objects.select_for_update().get(scope=limit.scope, digest=digest)


def _admit(counters: list[tuple[rules.Limit, str]], now: datetime) -> None:
    """Count one attempt against every counter, or against none and raise Throttled when
    any of them is full. Call inside a transaction."""
    ts = now.timestamp()
    # A fixed locking order: two workers locking the same pair cannot deadlock.
    ordered = sorted(counters, key=lambda c: (c[0].scope, c[1]))
    decided = [
        (limit, row, rules.decide(row.hits, ts, limit))
        for limit, row in ((limit, _locked(limit, digest, now)) for limit, digest in ordered)
    ]
    refused = [(limit, d) for limit, _row, d in decided if not d.allowed]
    if refused:
        limit, decision = max(refused, key=lambda r: r[1].retry_at or 0)
        raise Throttled(_reason(limit), _from_ts(decision.retry_at or ts))
    for limit, row, decision in decided:
        row.hits = list(decision.hits)
        row.expires_at = _from_ts(max(decision.hits) + limit.window.total_seconds())
        row.save(update_fields=["hits", "expires_at"])


def purge_throttles(now: datetime | None = None) -> int:
    """Delete the counters whose every hit has left its window."""
    deleted, _by_model = Throttle.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


# --- Submitting a request ---------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    """What the form carries in a signed hidden field: its idempotency key and when it
    was shown (for the minimum fill time). Signed, so neither can be made up."""

    key: str
    shown_at: float


def new_ticket(now: datetime | None = None) -> str:
    shown_at = (now or timezone.now()).timestamp()
    return signing.dumps({"k": uuid.uuid4().hex, "t": round(shown_at, 1)}, salt=_TICKET_SALT)


def read_ticket(value: str) -> Ticket | None:
    try:
        data = signing.loads(value, salt=_TICKET_SALT)
        return Ticket(key=f"{KEY_PREFIX}{data['k']}", shown_at=float(data["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    category: Category
    region: Region
    description: str
    people_count: int
    address: str = ""
    # Empty for an anonymous request (匿名反映).
    name: str = ""
    phone: str = ""  # digits, as rules.normalize_phone gives them


def title_for(category: Category, description: str) -> str:
    """A case needs a title; residents are asked what happened, not for a title."""
    return f"{category.name}：{cases.headline(description, 31)}"[:100]


def submit_request(*, submission: Submission, ip: str, now: datetime | None = None) -> Case:
    """A resident's request, registered through the normal intake (routing, deadlines,
    timeline) on the 网上 channel. A retried form (same ticket) returns the case the first
    attempt made and counts nothing; otherwise the minimum fill time and the per-network
    and per-phone limits apply, and a refusal (Throttled) writes no case."""
    now = now or timezone.now()
    ticket = submission.ticket
    # Looked up before the limits are counted, so that a retry counts nothing; the service
    # also answers a retry that raced the first attempt past this point.
    existing = Case.objects.filter(idempotency_key=ticket.key).first()
    ready_at = ticket.shown_at + rules.MIN_FILL_SECONDS
    if existing is None and now.timestamp() < ready_at:
        raise Throttled(_("提交得太快了，请核对填写的内容。"), _from_ts(ready_at))
    network = sender_digest("ip", rules.network_of(ip))
    counters = [(rules.SUBMIT_PER_IP, network)]
    if submission.phone:
        counters.append((rules.SUBMIT_PER_PHONE, sender_digest("phone", submission.phone)))
    name = submission.name.strip()
    new = cases.NewCase(
        channel=Case.Channel.ONLINE,
        category=submission.category,
        title=title_for(submission.category, submission.description),
        description=submission.description,
        region=submission.region,
        address=submission.address,
        people_count=submission.people_count,
        parties=[
            cases.NewParty(
                role=Party.Role.APPLICANT,
                name=name or ANONYMOUS_NAME,
                phone=submission.phone if name else "",
            )
        ],
        # An anonymous resident's "same session" is their network.
        origin=f"portal:{network}",
    )
    if existing is not None:
        # The same form sent again: its case, unless what it says was changed (KeyReused).
        check_same_body(
            key=ticket.key, kept=existing.idempotency_digest, digest=cases.request_digest(new)
        )
        return existing
    # The back button and the form sent again (a new ticket): the request registered a
    # moment ago, not a second one, and nothing counted against the limits.
    duplicate = cases.recent_duplicate(by=PORTAL, new=new)
    if duplicate is not None:
        return duplicate
    with transaction.atomic():
        _admit(counters, now)
        case, _created = cases.case_register_from_form(
            by=PORTAL, new=new, idempotency_key=ticket.key
        )
        purge_throttles(now)
    return case


def submitted_token(case: Case) -> str:
    """The confirmation page's address carries the code signed, so that it cannot be used
    to probe codes past the lookup limit."""
    return signing.dumps(case.code, salt=_SUBMITTED_SALT)


def case_from_submitted_token(token: str) -> Case | None:
    try:
        code = signing.loads(token, salt=_SUBMITTED_SALT)
    except signing.BadSignature:
        return None
    return Case.objects.select_related("category__parent").filter(code=code).first()


# --- Looking a case up, rating it ----------------------------------------------------------


def find_case(*, code: str, ip: str, now: datetime | None = None) -> Case | None:
    """The case with this tracking code, or None. Every lookup counts against the
    network's limit first, found or not, so the answer to a guesser is the same refusal
    whether the code exists or not."""
    now = now or timezone.now()
    with transaction.atomic():
        _admit([(rules.LOOKUP_PER_IP, sender_digest("ip", rules.network_of(ip)))], now)
    code = rules.normalize_code(code)
    if not code:
        return None
    return Case.objects.select_related("category__parent").filter(code=code).first()


def applicant_phone(case: Case) -> str:
    """The phone the request was made with: the first applicant's (a merged-in duplicate's
    applicant is copied in later and does not count)."""
    party = (
        Party.objects.filter(case=case, role=Party.Role.APPLICANT)
        .order_by("pk")
        .only("phone")
        .first()
    )
    return (party.phone if party else "") or ""


def can_rate(case: Case) -> bool:
    """Closed and not yet visited: once per closing (不满意 reopens it, and the next
    closing may be rated again). A request that came in through Open311 has its tracking
    code in the public request list, so the code alone proves nothing: without a phone to
    ask the digits of, it is not rated online (the centre's return visit does it)."""
    if case.status != Status.CLOSED:
        return False
    return case.channel != Case.Channel.API or bool(applicant_phone(case))


def rate_case(
    *,
    case: Case,
    satisfaction: str,
    note: str = "",
    phone_tail: str = "",
    now: datetime | None = None,
) -> Case:
    """The resident's own return visit (回访) on the portal. When the request was made with
    a phone number, its last four digits are asked: the tracking code alone (seen over a
    shoulder, shared in a chat) does not let someone else rate it."""
    now = now or timezone.now()
    if not can_rate(case):
        raise Refused(_("这件事项现在不能评价：只有办结后、回访前可以评价，且只能评价一次。"))
    digits = "".join(ch for ch in applicant_phone(case) if ch.isdigit())
    if digits:
        with transaction.atomic():
            counter = (rules.RATE_TRIES_PER_CASE, sender_digest("case", case.code))
            row = _locked(counter[0], counter[1], now)
            decision = rules.decide(row.hits, now.timestamp(), counter[0])
            if not decision.allowed:
                raise Throttled(_reason(counter[0]), _from_ts(decision.retry_at or 0))
            right = hmac.compare_digest(digits[-4:], (phone_tail or "").strip())
            if not right:
                _admit([counter], now)  # a wrong guess is counted, and kept
        if not right:
            raise ValidationError({"phone_tail": _("电话号码后四位不对，请核对后再填。")})
    return cases.case_visit(by=PORTAL_RATING, case=case, satisfaction=satisfaction, note=note)
