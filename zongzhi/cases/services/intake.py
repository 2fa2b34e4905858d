"""登记: a case comes in, once."""

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, require
from zongzhi.accounts.rules import Action, Target
from zongzhi.cases import deadlines, rules, search
from zongzhi.cases.models import (
    Case,
    CaseEvent,
    DeadlinePolicy,
    Party,
)
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.services.attachments import check_uploads, save_attachments
from zongzhi.cases.services.steps import (
    _NOT_RECHECKED,
    _append,
    _today,
)
from zongzhi.categories.models import Category
from zongzhi.core.services import Created, actor_id, body_digest, check_same_body, dated_code
from zongzhi.intake.flags import flag_duplicates, keep_words
from zongzhi.regions import geo
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level
from zongzhi.regions.selectors import grid_at
from zongzhi.workdays.selectors import current_calendar


@dataclass
class NewParty:
    role: str
    name: str
    kind: str = Party.Kind.PERSON
    phone: str = ""
    address: str = ""


@dataclass
class NewCase:
    channel: str
    category: Category
    title: str
    description: str
    region: Region
    parties: Sequence[NewParty]
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    people_count: int = 1
    amount: Decimal | None = None
    risk_level: str = Case.Risk.LOW
    risk_reasons: str = ""
    threat_of_violence: bool = False
    threat_of_self_harm: bool = False
    petition_stage: str = ""
    review_of: Case | None = None
    attachments: Sequence[UploadedFile] = ()
    # Who is sending it, for recognising a resubmitted request that names no phone: the
    # portal passes its sender's network; a signed-in person or system is their account.
    origin: str = ""
    # The officer at the counter was shown the open cases this request may repeat and
    # judged it a new matter: it is not flagged 疑似重复 for the centre's triage.
    duplicates_checked: bool = False


def headline(text: str, width: int) -> str:
    """The first line of what someone wrote, at most `width` characters ("…" ends a cut
    one): a title for a request that came without one (the portal, Open311)."""
    stripped = text.strip()
    line = stripped.splitlines()[0].strip() if stripped else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def new_tracking_code(today: date) -> str:
    """Date and six random characters: short to read out, not guessable."""
    return dated_code(today, length=6)


def centre_for(region: Region) -> Region:
    """The centre answering first for a place: its township's, or the county's above it."""
    if region.level <= Level.COUNTY:
        return region
    return Region.objects.get(prefix=region.prefix[: PREFIX_LENGTH[Level.TOWNSHIP]])


def policy_for(*, channel: str, category: Category, urgent: bool) -> DeadlinePolicy:
    policies = list(DeadlinePolicy.objects.filter(is_active=True).select_related("category"))
    codes = [category.code] + ([category.parent.code] if category.parent else [])
    key = deadlines.choose_policy(
        [
            deadlines.PolicyTerms(
                key=p.pk,
                channel=p.channel,
                category_code=p.category.code if p.category else None,
                urgent=p.urgent,
            )
            for p in policies
        ],
        channel=channel,
        category_codes=codes,
        urgent=urgent,
    )
    if key is None:
        raise ValidationError("没有适用的时限规则，请管理员先设置一条通用的时限规则")
    return next(p for p in policies if p.pk == key)


@dataclass(frozen=True)
class Terms:
    """A case's deadline terms, as registration chooses them."""

    policy: DeadlinePolicy
    counting: str
    accept_days: int
    handle_days: int
    warn_days: int


def terms_for(*, channel: str, petition_stage: str, category: Category, urgent: bool) -> Terms:
    """The deadline policy and terms for a case: a 信访事项 is timed by the regulation
    whichever way it came in (a review asked for at the counter, too), and a review
    (复查/复核) is answered within the regulation's days whatever the policy says. Used at
    registration and again when 更正 changes the category."""
    petition = bool(petition_stage) or channel == Case.Channel.PETITION
    policy_channel = Case.Channel.PETITION if petition else channel
    policy = policy_for(channel=policy_channel, category=category, urgent=urgent)
    handle_days = policy.handle_days
    if petition_stage in {Case.PetitionStage.REVIEW, Case.PetitionStage.RE_REVIEW}:
        handle_days = rules.REVIEW_ANSWER_DAYS
    return Terms(
        policy=policy,
        counting=policy.counting,
        accept_days=policy.accept_days,
        handle_days=handle_days,
        warn_days=policy.warn_days,
    )


def _check_new_case(new: NewCase, today: date) -> None:
    errors: dict[str, str] = {}
    if new.channel == Case.Channel.LEDGER:
        errors["channel"] = "“历史导入”只用于导入台账，请选择实际的来源渠道"
    if new.category.parent_id is None:
        errors["category"] = "请选择二级分类"
    if new.region.level < Level.COUNTY:
        errors["region"] = "发生地须在县及以下"
    if not new.title.strip():
        errors["title"] = "请填写事项标题"
    if not new.description.strip():
        errors["description"] = "请填写事项描述"
    if new.people_count < 1:
        errors["people_count"] = "涉及人数至少为1"
    if new.amount is not None and new.amount < 0:
        errors["amount"] = "涉及金额不能为负数"
    if (new.lng is None) != (new.lat is None):
        errors["lng"] = "经度和纬度须同时填写"
    elif new.lng is not None and new.lat is not None:
        try:
            geo.check_point(new.lng, new.lat)
        except geo.BoundaryError as error:
            errors["lng"] = str(error)
    if new.risk_level in {Case.Risk.HIGH, Case.Risk.MAJOR} and not new.risk_reasons.strip():
        errors["risk_reasons"] = "风险等级为高或重大时须写明原因"
    if not any(p.name.strip() for p in new.parties):
        errors["parties"] = "至少登记一名当事人或反映人"
    if new.petition_stage in {Case.PetitionStage.REVIEW, Case.PetitionStage.RE_REVIEW}:
        errors.update(_check_review(new, today))
    if errors:
        raise ValidationError(errors)


def _check_review(new: NewCase, today: date) -> dict[str, str]:
    reviewed = new.review_of
    wanted = {
        Case.PetitionStage.REVIEW: Case.PetitionStage.ORIGINAL,
        Case.PetitionStage.RE_REVIEW: Case.PetitionStage.REVIEW,
    }[Case.PetitionStage(new.petition_stage)]
    if reviewed is None or reviewed.petition_stage != wanted:
        label = "信访事项" if wanted == Case.PetitionStage.ORIGINAL else "复查事项"
        return {"review_of": f"请选择要{Case.PetitionStage(new.petition_stage).label}的{label}"}
    if reviewed.closed_on is None:
        return {"review_of": "原事项尚未办结，不能申请复查或复核"}
    if not rules.review_request_is_timely(reviewed.closed_on, today, calendar=current_calendar()):
        return {
            "review_of": f"已超过{rules.REVIEW_REQUEST_DAYS}日的申请期限（信访工作条例第35、36条）"
        }
    return {}


def _place(new: NewCase) -> Region:
    """Where the case is: the region given, or, when a point inside it was given too, the
    grid that holds the point (a grid worker's phone knows the spot, not the grid code)."""
    if new.lng is None or new.lat is None or new.region.level >= Level.GRID:
        return new.region
    return grid_at(lng=new.lng, lat=new.lat, within=new.region) or new.region


def refresh_search_text(case: Case) -> None:
    """Recompute what the case is found by, from its row and its parties as they are now.
    Every service that changes the title, description, address or parties calls it in
    its transaction."""
    parties = Party.objects.filter(case=case).order_by("pk").values_list("name", "phone")
    case.search_text = search.search_text(
        code=case.code,
        title=case.title,
        description=case.description,
        address=case.address,
        parties=list(parties),
    )
    Case.objects.filter(pk=case.pk).update(search_text=case.search_text)


# --- The same request, sent again ------------------------------------------------------


def _normalised(text: str) -> str:
    """Text as compared for sameness: full-width folded (NFKC), case and all white space
    ignored, so a retyped or re-pasted request matches."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def fingerprint(*, by: Actor, new: NewCase) -> str:
    """What makes two registrations the same request: the normalised title and
    description, the place, and who sent it — the parties' phone numbers, or, when nobody
    gave one, the sender (`new.origin`, else the account). A digest, so the timeline's
    data holds no phone number."""
    phones = sorted({search.digits(p.phone) for p in new.parties if search.digits(p.phone)})
    sender = new.origin or f"actor:{actor_id(by) or getattr(by, 'name', '')}"
    who = "phone:" + ",".join(phones) if phones else "origin:" + sender
    parts = [_normalised(new.title), _normalised(new.description), new.region.prefix, who]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def recent_duplicate(*, by: Actor, new: NewCase) -> Case | None:
    """The case registered from the same request within ZONGZHI_DUPLICATE_MINUTES, if
    any: the browser's back button and a resubmitted form (which carries a new
    idempotency key) must not register it twice. A signed-in person is answered only with
    a case they registered or may read; a public door's match already holds the sender's
    phone or network."""
    return _recent_duplicate(by=by, digest=fingerprint(by=by, new=new))


def _recent_duplicate(*, by: Actor, digest: str) -> Case | None:
    minutes = int(getattr(settings, "ZONGZHI_DUPLICATE_MINUTES", 10))
    if minutes <= 0:
        return None
    since = timezone.now() - timedelta(minutes=minutes)
    events = (
        CaseEvent.objects.filter(step=Step.REGISTER, at__gte=since, data__fingerprint=digest)
        .select_related("case")
        .order_by("at", "pk")
    )
    for event in events:
        case = event.case
        if case.merged_into_id is not None:
            continue
        if actor_id(by) is None or case.registered_by_id == actor_id(by):
            return case
        if can(by, Action.VIEW_CASE, case):
            return case
    return None


def _lock_fingerprint(digest: str) -> None:
    """Two resubmissions racing each other take turns over the check (PostgreSQL; SQLite
    writes one transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def request_digest(new: NewCase) -> str:
    """What a retry under the same idempotency key must repeat: everything but `origin`,
    who sends it (the portal's network), which a retry may change."""
    return body_digest(new, ignore={"origin"})


def case_register(*, by: Actor, new: NewCase) -> Case:
    """登记 by the platform's own hands (a screening finding, a hazard become a case, the
    demo, commands): registered as asked, even when it repeats a recent one — those
    callers mean it (the demo makes duplicates on purpose, to be merged)."""
    return _register(by=by, new=new, idempotency_key=None, doors=False, look=False).record


def case_register_idempotent(
    *, by: Actor, new: NewCase, idempotency_key: str | None
) -> Created[Case]:
    """登记 from another system that may send the same request twice (the API, Open311):
    a retry with the same idempotency key returns the case the first call made (created
    False). Without a key, every call registers a case."""
    return _register(by=by, new=new, idempotency_key=idempotency_key, doors=False, look=True)


def case_register_from_form(
    *, by: Actor, new: NewCase, idempotency_key: str | None
) -> Created[Case]:
    """登记 from a page a person fills in (the counter's intake form, the portal): as
    `case_register_idempotent`, and moreover the same request sent again with a new key —
    the browser's back button and the form resubmitted, each page load carrying its own
    key — within ZONGZHI_DUPLICATE_MINUTES returns the first case (`recent_duplicate`),
    checked inside the registration's transaction."""
    return _register(by=by, new=new, idempotency_key=idempotency_key, doors=True, look=True)


def _register(
    *, by: Actor, new: NewCase, idempotency_key: str | None, doors: bool, look: bool
) -> Created[Case]:
    """`doors`: recognise the same request sent again (a form's resubmission); `look`:
    compare it with the open cases and flag a likely repeat 疑似重复 (every door in, not
    the platform's own registrations)."""
    sent = request_digest(new) if idempotency_key else ""
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _again(by, existing, idempotency_key, sent)
    require(by, Action.REGISTER_CASE, Target(region_prefix=new.region.prefix))
    today = _today()
    _check_new_case(new, today)
    digest = fingerprint(by=by, new=new)
    # Every file is checked by its content before anything is written: a refused file
    # registers nothing, and the form shows why beside its file field.
    checked = check_uploads(new.attachments, field="attachments")
    urgent = new.threat_of_violence or new.threat_of_self_harm
    petition = bool(new.petition_stage) or new.channel == Case.Channel.PETITION
    terms = terms_for(
        channel=new.channel,
        petition_stage=new.petition_stage,
        category=new.category,
        urgent=urgent,
    )
    region = _place(new)
    centre = centre_for(region)
    case = Case(
        code=new_tracking_code(today),
        idempotency_key=idempotency_key or None,
        idempotency_digest=sent,
        channel=new.channel,
        category=new.category,
        title=new.title.strip(),
        description=new.description.strip(),
        region=region,
        region_prefix=region.prefix,
        address=new.address.strip(),
        lng=new.lng,
        lat=new.lat,
        centre=centre,
        centre_prefix=centre.prefix,
        people_count=new.people_count,
        amount=new.amount,
        risk_level=new.risk_level,
        risk_reasons=new.risk_reasons.strip(),
        threat_of_violence=new.threat_of_violence,
        threat_of_self_harm=new.threat_of_self_harm,
        petition_stage=new.petition_stage or (Case.PetitionStage.ORIGINAL if petition else ""),
        review_of=new.review_of,
        policy=terms.policy,
        counting=terms.counting,
        accept_days=terms.accept_days,
        handle_days=terms.handle_days,
        warn_days=terms.warn_days,
        due_on=current_calendar().deadline(today, terms.accept_days, terms.counting),
        registered_at=timezone.now(),
        registered_by_id=actor_id(by),
        status=Status.REGISTERED,
    )
    case.search_text = search.search_text(
        code=case.code,
        title=case.title,
        description=case.description,
        address=case.address,
        parties=[(p.name.strip(), p.phone) for p in new.parties if p.name.strip()],
    )
    try:
        with transaction.atomic():
            if doors:
                _lock_fingerprint(digest)
                duplicate = _recent_duplicate(by=by, digest=digest)
                if duplicate is not None:
                    return Created(duplicate, created=False)
            # Field checks only; uniqueness, constraints and foreign keys are the database's.
            case.clean_fields(exclude=_NOT_RECHECKED)
            case.save()
            Party.objects.bulk_create(
                Party(
                    case=case,
                    kind=p.kind,
                    role=p.role,
                    name=p.name.strip(),
                    phone=p.phone.strip(),
                    phone_digits=search.digits(p.phone),
                    address=p.address.strip(),
                )
                for p in new.parties
                if p.name.strip()
            )
            save_attachments(case, new.attachments, checked, by=by, at=case.registered_at)
            data: dict[str, Any] = {
                "policy": terms.policy.name,
                "due_on": str(case.due_on),
                "fingerprint": digest,
            }
            if urgent:
                # Threat of violence or self-harm: handled at once, and care offered.
                data["care_referral_offered"] = True
            keep_words(case)
            if new.duplicates_checked:
                data["duplicates_checked"] = True
            elif look:
                phones = [p.phone for p in new.parties if p.name.strip()]
                found = flag_duplicates(case=case, phones=phones, at=case.registered_at)
                if found:
                    data["suspected_duplicates"] = found
            _append(case, Step.REGISTER, None, by=by, unit=None, note="", data=data)
    except IntegrityError:
        # Two submissions with one key raced; the other one won. Hand back its case.
        if idempotency_key:
            first = Case.objects.get(idempotency_key=idempotency_key)
            return _again(by, first, idempotency_key, sent)
        raise
    return Created(case, created=True)


def _again(by: Actor, existing: Case, key: str, sent: str) -> Created[Case]:
    """The case a key already made, for a retry of the same request: whoever registered
    it gets it back (another system may register cases it may not read), anyone else must
    be allowed to read it; another request under the same key is refused (KeyReused)."""
    if actor_id(by) is None or existing.registered_by_id != actor_id(by):
        require(by, Action.VIEW_CASE, existing)
    check_same_body(key=key, kept=existing.idempotency_digest, digest=sent)
    return Created(existing, created=False)
