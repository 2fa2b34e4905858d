"""Two-factor sign-in (两步验证), on django-otp: an authenticator app's six-digit codes
(TOTP) and ten single-use recovery codes (恢复码), for when the phone is lost.

People holding a role in settings.ZONGZHI_TWO_FACTOR_REQUIRED_ROLES must enrol before
reaching any page (zongzhi.accounts.middleware); everybody may enrol from 账号安全.
Whoever has a device gives a code at every sign-in. A wrong code is throttled by
django-otp on the device (1, 2, 4 … seconds between tries) and counted as a failed
sign-in for django-axes' lockout (zongzhi.accounts.throttle). Every change sends its
signal (zongzhi.accounts.signals) for the audit log.
"""

import math
import re
from base64 import b32encode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.permissions import require
from zongzhi.accounts.rules import Action
from zongzhi.accounts.signals import (
    recovery_codes_regenerated,
    two_factor_enrolled,
    two_factor_removed,
    two_factor_reset,
)
from zongzhi.accounts.throttle import count_failure

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "验证器"
RECOVERY_NAME = "恢复码"
_SIX_DIGITS = re.compile(r"\d{6}")


def required_for(user: User) -> bool:
    """Whether the person holds a role that must sign in with two factors."""
    roles = settings.ZONGZHI_TWO_FACTOR_REQUIRED_ROLES
    if not roles or user.pk is None:
        return False
    return RoleAssignment.objects.filter(user_id=user.pk, role__in=roles).exists()


def has_two_factor(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same secret on every visit of the page until
    it is confirmed, so a reload does not invalidate what the phone already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TOTPDevice) -> str:
    return str(device.config_url)


def _normalise(code: str) -> str:
    return "".join((code or "").split()).lower()


def _refuse_if_throttled(device: Device) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        until = (data or {}).get("locked_until")
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
        raise ValidationError(
            _("尝试过于频繁，请 %(seconds)d 秒后再输入验证码。") % {"seconds": seconds},
            code="throttled",
        )


def _match(request: HttpRequest, user: User, code: str) -> Device:
    """The device that accepts `code` (six digits: the authenticator; otherwise a recovery
    code, used up), or ValidationError; a wrong code counts as a failed sign-in."""
    code = _normalise(code)
    if not code:
        raise ValidationError(_("请输入验证码。"), code="required")
    kind = TOTPDevice if _SIX_DIGITS.fullmatch(code) else StaticDevice
    devices = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, kind)]
    for device in devices:
        _refuse_if_throttled(device)
    for device in devices:
        if device.verify_token(code):
            return device
    count_failure(request, user.get_username())
    raise ValidationError(
        _("验证码不正确或已用过。请输入验证器上当前的6位数字，或一个未用过的恢复码。"),
        code="wrong",
    )


def verify(request: HttpRequest, code: str) -> Device:
    """The second step of signing in: mark this session verified."""
    user: User = request.user  # type: ignore[assignment]
    device = _match(request, user, code)
    otp_login(request, device)
    # A new session key for the fully signed-in session, as at the password step.
    request.session.cycle_key()
    return device


def _new_recovery_codes(user: User) -> list[str]:
    # The same device with new codes: a session verified by a recovery code stays so.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    StaticToken.objects.filter(device__user=user).delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def confirm_enrolment(request: HttpRequest, code: str) -> list[str]:
    """Confirm the pending authenticator with one code from it; make the recovery codes
    (returned to be shown once; only they are kept, and used up one by one)."""
    user: User = request.user  # type: ignore[assignment]
    if has_two_factor(user):
        raise ValidationError(_("您已启用两步验证。"), code="enrolled")
    device = pending_authenticator(user)
    _refuse_if_throttled(device)
    if not device.verify_token(_normalise(code)):
        raise ValidationError(
            _("验证码不正确。请确认手机时间准确，输入验证器上当前显示的6位数字。"),
            code="wrong",
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_recovery_codes(user)
        two_factor_enrolled.send(User, by=user, user=user, request=request)
    otp_login(request, device)
    request.session.cycle_key()
    return codes


def regenerate_recovery_codes(request: HttpRequest, code: str) -> list[str]:
    """New recovery codes in place of the old, after a current code."""
    user: User = request.user  # type: ignore[assignment]
    _match(request, user, code)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        recovery_codes_regenerated.send(User, by=user, user=user, request=request)
    return codes


def _remove_devices(user: User) -> int:
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        n, _detail = model.objects.filter(user=user).delete()
        removed += n
    return removed


def remove(request: HttpRequest, code: str) -> None:
    """The person turns two-factor sign-in off, after a current code. Whoever must have it
    is sent to enrol again at once (a new phone)."""
    user: User = request.user  # type: ignore[assignment]
    _match(request, user, code)
    with transaction.atomic():
        _remove_devices(user)
        two_factor_removed.send(User, by=user, user=user, request=request)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def reset(*, by: Actor, user: User, request: HttpRequest | None = None) -> int:
    """An administrator (or an operator's command, by=SYSTEM) removes another person's
    devices: a lost phone and no recovery code. The person's sessions lose their second
    step with the device; at the next sign-in they enrol again. How many were removed."""
    require(by, Action.MANAGE_USER, user)
    with transaction.atomic():
        removed = _remove_devices(user)
        two_factor_reset.send(User, by=by, user=user, request=request)
    return removed
