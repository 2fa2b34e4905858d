"""POST requests: a client system's service request becomes a case, once.

The request goes through the normal intake (cases.services.case_register_idempotent:
routing to the centre, deadlines, the timeline) as channel API, registered by the
client's own account, so the timeline names the system it came from. The Open311 side
keeps only the link (Submission: token, client, the first response) for GET
tokens/{token} and for retries.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from zongzhi.accounts.permissions import can, grants_of, holds
from zongzhi.accounts.rules import ROLE_ACTIONS, Action
from zongzhi.cases.models import Case, Party
from zongzhi.cases.public import ANONYMOUS_NAME
from zongzhi.cases.services import NewCase, NewParty, case_register_idempotent, headline
from zongzhi.categories.models import Category
from zongzhi.core.services import body_digest, check_same_body
from zongzhi.open311 import rules
from zongzhi.open311.models import Submission
from zongzhi.regions import geo
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.regions.selectors import grid_at

DESCRIPTION_MAX = 5000
TITLE_MAX = 30
IDEMPOTENCY_KEY_MAX = 200

# The intake's field names, as the Open311 parameters a client sent them in.
_PARAMETER = {
    "category": "service_code",
    "title": "description",
    "description": "description",
    "region": "address_id",
    "address": "address_string",
    "lng": "long",
    "lat": "lat",
    "parties": "first_name",
    "people_count": "attribute[people_count]",
    "amount": "attribute[amount]",
}


@dataclass
class Posted:
    """The form fields of POST requests, as strings (a missing field is "")."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    media_url: str = ""


def home_region(client: Any) -> Region | None:
    """Where the client registers cases when it names no place: the widest region in which
    it may register (a client system's own region)."""
    prefixes = [
        g.region_prefix for g in grants_of(client) if Action.REGISTER_CASE in ROLE_ACTIONS[g.role]
    ]
    if not prefixes:
        return None
    return Region.objects.get(prefix=min(prefixes, key=len))


def _number(value: str, name: str, errors: dict[str, str]) -> float | None:
    try:
        return float(value)
    except ValueError:
        errors[name] = f"{name} 须为数字（WGS84 经纬度）"
        return None


@dataclass
class _Place:
    region: Region
    address: str
    lng: float | None
    lat: float | None


def _place(client: Any, posted: Posted, errors: dict[str, str]) -> _Place | None:
    """address_id (our region code) first, then the point, then the client's own region
    with the address the client wrote."""
    address = posted.address_string.strip()
    if len(address) > 200:
        errors["address_string"] = "地址不超过200字"
    lng = lat = None
    if posted.lat.strip() or posted.long.strip():
        if not (posted.lat.strip() and posted.long.strip()):
            errors["lat"] = "lat 与 long 须同时提供"
            return None
        lat = _number(posted.lat, "lat", errors)
        lng = _number(posted.long, "long", errors)
        if lat is None or lng is None:
            return None
        try:
            geo.check_point(lng, lat)
        except geo.BoundaryError as error:
            errors["lat"] = str(error)
            return None
    home = home_region(client)
    if posted.address_id.strip():
        region = Region.objects.filter(code=posted.address_id.strip()).first()
        if region is None:
            errors["address_id"] = "address_id 须为已登记的区划代码（12位统计用区划代码）"
            return None
        if region.level < Level.COUNTY:
            errors["address_id"] = "address_id 须为县及以下的区划"
            return None
        if not can(client, Action.REGISTER_CASE, region):
            raise PermissionDenied(f"address_id：{region.name}不在本接口密钥的登记范围内")
        return _Place(region, address, lng, lat)
    if lng is not None and lat is not None:
        grid = grid_at(lng=lng, lat=lat, within=home)
        if grid is not None:
            return _Place(grid, address, lng, lat)
        if address and home is not None:
            return _Place(home, address, lng, lat)
        errors["lat"] = "该坐标不在本系统辖区的网格内；请同时提供 address_string 或改用 address_id"
        return None
    if address:
        if home is None:
            errors["address_id"] = "请用 address_id 指明区划"
            return None
        return _Place(home, address, None, None)
    errors["lat"] = "须提供 lat 和 long、address_string 或 address_id 之一"
    return None


def _case_idempotency_key(client: Any, key: str) -> str:
    """The client's key, made unique across clients, in the width Case keeps (64)."""
    digest = hashlib.sha256(f"{client.pk}:{key}".encode()).hexdigest()
    return f"o311-{digest[:56]}"


def service_notice(case: Case) -> str:
    notice = (
        f"已登记，查询码{case.code}。{case.centre.name}综治中心将于{case.due_on}前决定是否受理。"
    )
    if case.is_urgent:
        notice += "事项涉及暴力或自伤自杀倾向，已标记为紧急，将立即处置。"
    return notice


def submit_request(*, client: Any, posted: Posted, idempotency_key: str = "") -> dict[str, Any]:
    """The service request as a case; the response item ({service_request_id, token,
    service_notice, account_id}). With an idempotency key, a retry returns the first
    response and creates nothing.

    Raises PermissionDenied (the key may not register, or not there), Category.DoesNotExist
    (unknown service_code) or ValidationError keyed by the Open311 parameter names."""
    if not holds(client, Action.REGISTER_CASE):
        raise PermissionDenied("该接口密钥所属账号无权登记事项")
    idempotency_key = idempotency_key.strip()
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError({"Idempotency-Key": "Idempotency-Key 不超过200个字符"})
    sent = body_digest(posted) if idempotency_key else ""
    if idempotency_key:
        done = Submission.objects.filter(client=client, idempotency_key=idempotency_key).first()
        if done is not None:
            check_same_body(key=idempotency_key, kept=done.body_digest, digest=sent)
            return dict(done.response)
    code = posted.service_code.strip()
    if not code:
        raise ValidationError({"service_code": "请提供 service_code"})
    category = Category.objects.select_related("parent").get(
        code=code, parent__isnull=False, is_active=True, parent__is_active=True
    )
    answers = rules.parse_attributes(posted.attributes)
    errors = dict(answers.errors)
    place = _place(client, posted, errors)
    description = posted.description.strip()
    if not description:
        errors["description"] = "请写明反映的问题"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"description 不超过{DESCRIPTION_MAX}字"
    name = rules.reporter_name(posted.first_name, posted.last_name)
    if len(name) > 100:
        errors["first_name"] = "姓名不超过100字"
    phone = posted.phone.strip()
    if len(phone) > 30:
        errors["phone"] = "phone 不超过30个字符"
    media_url = posted.media_url.strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors["media_url"] = "media_url 须为 http(s) 链接"
        if len(media_url) > 500:
            errors["media_url"] = "media_url 不超过500个字符"
    if errors or place is None:
        raise ValidationError(errors)
    if media_url:
        # The platform fetches nothing from the internet: the link is kept for the centre.
        description = f"{description}\n\n（报送系统提供的图片链接：{media_url}）"
    parties = [NewParty(role=Party.Role.APPLICANT, name=name or ANONYMOUS_NAME, phone=phone)]
    if answers.respondent:
        parties.append(NewParty(role=Party.Role.RESPONDENT, name=answers.respondent))
    new = NewCase(
        channel=Case.Channel.API,
        category=category,
        title=headline(posted.description, TITLE_MAX),
        description=description,
        region=place.region,
        parties=parties,
        address=place.address,
        lng=place.lng,
        lat=place.lat,
        people_count=answers.people_count,
        amount=answers.amount,
        threat_of_violence=answers.threat_of_violence,
        threat_of_self_harm=answers.threat_of_self_harm,
    )
    case_key = _case_idempotency_key(client, idempotency_key) if idempotency_key else None
    try:
        with transaction.atomic():
            case, created = case_register_idempotent(by=client, new=new, idempotency_key=case_key)
            if not created:
                # A retry raced the first submission, which registered the case (and kept
                # its response with it) meanwhile: answer as the first one did.
                return dict(
                    Submission.objects.get(client=client, idempotency_key=idempotency_key).response
                )
            token = secrets.token_urlsafe(16)
            response = {
                "service_request_id": case.code,
                "token": token,
                "service_notice": service_notice(case),
                "account_id": None,
            }
            Submission.objects.create(
                case=case,
                client=client,
                token=token,
                idempotency_key=idempotency_key,
                body_digest=sent,
                response=response,
                created_at=timezone.now(),
            )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(_as_parameters(error)) from error
    except IntegrityError:
        # A retry raced the first submission and lost: hand back what the first one made.
        done = Submission.objects.filter(client=client, idempotency_key=idempotency_key).first()
        if not idempotency_key or done is None:
            raise
        check_same_body(key=idempotency_key, kept=done.body_digest, digest=sent)
        return dict(done.response)
    return response


def _as_parameters(error: ValidationError) -> dict[str, list[str]]:
    return {
        _PARAMETER.get(name, name): [str(m) for e in errors for m in e.messages]
        for name, errors in error.error_dict.items()
    }
