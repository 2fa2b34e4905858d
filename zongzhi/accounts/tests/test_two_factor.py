"""Two-factor sign-in. config/test_settings.py turns enforcement off (the cast fixture
signs everybody in with force_login and no device); these tests turn it back on."""

import re
from base64 import b32encode
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.dispatch import Signal
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zongzhi.accounts import signals, twofactor
from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import issue_token
from zongzhi.conftest import PASSWORD, Cast
from zongzhi.core.models import AuditEntry

ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/verify/"


@pytest.fixture(autouse=True)
def enforced(settings: Any) -> None:
    settings.ZONGZHI_TWO_FACTOR_REQUIRED_ROLES = ["administrator", "care_supervisor"]


@pytest.fixture
def sent() -> Iterator[list[tuple[str, Any, Any]]]:
    """Every account-security signal sent during the test: (name, by, user)."""
    seen: list[tuple[str, Any, Any]] = []
    hooks: dict[str, Signal] = {
        n: getattr(signals, n)
        for n in (
            "password_changed",
            "two_factor_enrolled",
            "two_factor_removed",
            "two_factor_reset",
            "recovery_codes_regenerated",
        )
    }
    receivers = {}
    for name, signal in hooks.items():

        def receiver(sender: Any, by: Any, user: Any, _n: str = name, **kw: Any) -> None:
            seen.append((_n, by, user))

        receivers[name] = receiver
        signal.connect(receiver)
    yield seen
    for name, signal in hooks.items():
        signal.disconnect(receivers[name])


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's phone shows (steps_ahead: 30 s later, within the tolerance;
    a device takes each time step's code only once)."""
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def sign_in(client: Client, username: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = ["aaaa2222", "bbbb3333"]
    for c in codes:
        StaticToken.objects.create(device=static, token=c)
    return device, codes


def test_an_administrator_enrols_before_reaching_any_page(
    cast: Cast, sent: list[tuple[str, Any, Any]]
) -> None:
    admin = cast.by_role[Role.ADMINISTRATOR]
    client = Client()
    assert sign_in(client, "t1_admin").status_code == 302
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == ENROL + "?next=%2Fcases%2F"

    page = client.get(ENROL + "?next=/cases/").content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert "<svg" in page  # the QR code, drawn here: nothing loaded from elsewhere
    secret = b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page)
    assert shown and shown.group(1).replace(" ", "") == secret
    # A reload keeps the secret the phone may already have scanned.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=admin).count() == 1

    wrong = client.post(ENROL, {"code": code(device, steps_ahead=5), "next": "/cases/"})
    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.content.decode()
    assert client.get("/cases/").status_code == 302

    device.refresh_from_db()
    device.throttle_reset()
    done = client.post(ENROL, {"code": code(device), "next": "/cases/"})
    assert done["Location"] == "/accounts/two-factor/recovery-codes/"
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert 'href="/cases/"' in codes_page
    # Shown once: a reload does not show them again.
    assert client.get(done["Location"])["Location"] == "/accounts/security/"
    assert client.get("/cases/").status_code == 200
    assert sent == [("two_factor_enrolled", admin, admin)]


def test_with_a_device_every_sign_in_asks_for_a_code(cast: Cast) -> None:
    device, _codes = enrolled(cast.by_role[Role.LEADER])  # not required, enrolled anyway
    client = Client()
    sign_in(client, "t1_leader")
    assert client.get("/")["Location"] == VERIFY + "?next=%2F"
    # The API does not take this half-signed-in session; an API key still works.
    assert client.get("/api/reference/regions").status_code == 401
    _token, key = issue_token(by=SYSTEM, user=cast.by_role[Role.LEADER], name="脚本")
    keyed = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert keyed.get("/api/reference/regions").status_code == 200

    first = code(device)
    response = client.post(VERIFY, {"code": first, "next": "/regions/"})
    assert response["Location"] == "/regions/"
    assert client.get("/").status_code == 200
    assert client.get("/api/reference/regions").status_code == 200

    # Signing in again asks again; the same time step's code is not taken twice.
    client.post("/accounts/logout/")
    sign_in(client, "t1_leader")
    assert client.get("/")["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": first}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(VERIFY, {"code": code(device, steps_ahead=1)}).status_code == 302


def test_a_recovery_code_signs_in_once(cast: Cast) -> None:
    _device, codes = enrolled(cast.by_role[Role.ADMINISTRATOR])
    client = Client()
    sign_in(client, "t1_admin")
    response = client.post(VERIFY, {"code": " AAAA 2222 "})
    assert response.status_code == 302
    assert "还剩 1 个" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    sign_in(client, "t1_admin")
    StaticDevice.objects.update(throttling_failure_count=0)
    again = client.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 400
    assert "验证码不正确或已用过" in again.content.decode()


def test_wrong_codes_are_slowed_then_lock_the_sign_in(cast: Cast, settings: Any) -> None:
    device, _codes = enrolled(cast.by_role[Role.CARE_SUPERVISOR])
    client = Client()
    sign_in(client, "t1_care_sup")
    first = client.post(VERIFY, {"code": "000000"}).content.decode()
    assert "验证码不正确" in first
    # django-otp's delay: even the right code waits for it.
    second = client.post(VERIFY, {"code": code(device)})
    assert second.status_code == 400
    assert "尝试过于频繁，请 1 秒后再输入验证码" in second.content.decode()

    # Without the delay, wrong codes count as failed sign-ins (the throttled try did
    # not): the fifth locks, and ends the half-signed-in session.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    for _ in range(3):
        assert client.post(VERIFY, {"code": "000000"}).status_code == 400
    locked = client.post(VERIFY, {"code": "000000"})
    assert locked.status_code == 429
    assert "连续多次输错" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The password alone does not get back in from here until the cool-off passes.
    assert sign_in(client, "t1_care_sup").status_code == 429


def test_codes_are_needed_to_renew_recovery_codes_or_turn_it_off(
    cast: Cast, sent: list[tuple[str, Any, Any]]
) -> None:
    admin = cast.by_role[Role.ADMINISTRATOR]
    device, old = enrolled(admin)
    client = Client()
    sign_in(client, "t1_admin")
    client.post(VERIFY, {"code": old[0]})
    page = client.get("/accounts/security/").content.decode()
    assert "已启用" in page and "还剩 1 个恢复码" in page

    refused = client.post("/accounts/two-factor/recovery-codes/new/", {"code": "123"})
    assert refused["Location"] == "/accounts/security/"
    assert "验证码不正确" in client.get("/accounts/security/").content.decode()
    assert list(StaticToken.objects.values_list("token", flat=True)) == [old[1]]

    StaticDevice.objects.update(throttling_failure_count=0)
    renewed = client.post("/accounts/two-factor/recovery-codes/new/", {"code": code(device)})
    assert renewed["Location"] == "/accounts/two-factor/recovery-codes/"
    assert StaticToken.objects.count() == 10
    assert not StaticToken.objects.filter(token=old[1]).exists()

    device.refresh_from_db()
    client.post("/accounts/two-factor/remove/", {"code": code(device, steps_ahead=1)})
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert not StaticDevice.objects.filter(user=admin).exists()
    # An administrator must have it: the next page is the enrolment again.
    assert client.get("/")["Location"] == ENROL + "?next=%2F"
    assert [n for n, _by, _user in sent] == ["recovery_codes_regenerated", "two_factor_removed"]


def test_everyone_may_turn_it_on_from_their_account_page(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert 'href="/accounts/security/"' in client.get("/").content.decode()
    page = client.get("/accounts/security/").content.decode()
    assert "未启用" in page and f'href="{ENROL}"' in page
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=cast.by_role[Role.INTAKE_OFFICER])
    assert client.post(ENROL, {"code": code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_an_administrator_resets_a_lost_phone(cast: Cast, sent: list[tuple[str, Any, Any]]) -> None:
    admin = cast.by_role[Role.ADMINISTRATOR]
    worker = cast.by_role[Role.GRID_WORKER]
    enrolled(worker)
    with pytest.raises(PermissionDenied):
        twofactor.reset(by=cast.by_role[Role.LEADER], user=worker)
    assert twofactor.has_two_factor(worker)
    # Nor may someone from another township.
    with pytest.raises(PermissionDenied):
        twofactor.reset(by=cast.outsider, user=worker)
    assert twofactor.reset(by=admin, user=worker) == 4  # the devices and their codes
    assert not twofactor.has_two_factor(worker)
    assert sent == [("two_factor_reset", admin, worker)]
    reset = AuditEntry.objects.get(action=AuditEntry.Kind.TWO_FACTOR_RESET)
    assert (reset.actor_username, reset.target) == ("t1_admin", f"user:{worker.username}")

    # Through the admin site's action on the user list.
    enrolled(worker)
    boss = User.objects.create_superuser("root", password=PASSWORD)
    enrolled(boss)
    staff = Client()
    staff.force_login(boss)
    staff.post(VERIFY, {"code": "aaaa2222"})
    response = staff.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [worker.pk]}
    )
    assert response.status_code == 302
    assert not twofactor.has_two_factor(worker)


def test_a_locked_out_administrator_is_reset_from_the_command_line(cast: Cast) -> None:
    admin = cast.by_role[Role.ADMINISTRATOR]
    enrolled(admin)
    out = StringIO()
    call_command("reset_two_factor", "t1_admin", stdout=out)
    assert "已重置 t1_admin 的两步验证" in out.getvalue()
    assert not twofactor.has_two_factor(admin)
    client = Client()
    sign_in(client, "t1_admin")
    assert client.get("/")["Location"].startswith(ENROL)


def test_production_requires_it_of_administrators_and_care_supervisors() -> None:
    # Only the test settings turn enforcement off (for the cast fixture's force_login).
    from config import settings as production

    required = list(production.ZONGZHI_TWO_FACTOR_REQUIRED_ROLES)
    assert required == [Role.ADMINISTRATOR.value, Role.CARE_SUPERVISOR.value]
