"""The password policy wherever a password is set, and the person's own change."""

import os
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user
from django.core.management import CommandError, call_command
from django.test import Client

from zongzhi.accounts import signals
from zongzhi.accounts.models import User
from zongzhi.accounts.rules import Role
from zongzhi.conftest import PASSWORD, Cast
from zongzhi.core.models import AuditEntry

CHANGE = "/accounts/password/"
GOOD = "Qingshan-river-88"


def change(client: Client, new: str, old: str = PASSWORD) -> Any:
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab3-xyz", "此密码太短，至少要包含 10 个字符。"),
        ("8302957146", "密码只包含数字。"),
        ("password123", "这个密码太常见了。"),
        ("t1_intake_2026", "密码跟 用户名 太相似了。"),
    ],
)
def test_a_weak_password_is_refused_in_chinese(cast: Cast, new: str, message: str) -> None:
    user = cast.by_role[Role.INTAKE_OFFICER]
    client = cast.client_for(user)
    response = change(client, new)
    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_old_password_is_needed(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = change(client, GOOD, old="not-the-password")
    assert response.status_code == 400
    assert "你的旧密码不正确" in response.content.decode()


def test_a_changed_password_keeps_this_session_and_ends_the_others(cast: Cast) -> None:
    user = cast.by_role[Role.INTAKE_OFFICER]
    phone, office = cast.client_for(user), cast.client_for(user)
    seen: list[Any] = []

    def hook(sender: Any, by: Any, user: Any, request: Any, **kw: Any) -> None:
        seen.append((by, user))

    signals.password_changed.connect(hook)
    try:
        assert 'href="/accounts/password/"' in phone.get("/accounts/security/").content.decode()
        response = change(phone, GOOD)
    finally:
        signals.password_changed.disconnect(hook)
    assert response["Location"] == "/accounts/security/"
    assert seen == [(user, user)]
    # The administrators' audit log has it, and not the password.
    entry = AuditEntry.objects.get(action=AuditEntry.Kind.PASSWORD_CHANGED)
    assert (entry.actor_username, entry.target) == (user.username, f"user:{user.username}")
    assert GOOD not in f"{entry.target}{entry.detail}"
    assert phone.get("/").status_code == 200
    assert get_user(phone).is_authenticated  # type: ignore[arg-type]
    assert office.get("/")["Location"].startswith("/accounts/login/")
    fresh = Client()
    assert (
        fresh.post("/accounts/login/", {"username": user.username, "password": GOOD}).status_code
        == 302
    )


def test_the_admin_site_applies_the_policy_to_a_new_user(cast: Cast) -> None:
    staff = Client()
    staff.force_login(User.objects.create_superuser("root", password=PASSWORD))
    response = staff.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_clerk",
            "usable_password": "true",
            "password1": "12345",
            "password2": "12345",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "密码只包含数字。" in page
    assert not User.objects.filter(username="new_clerk").exists()


def test_createsuperuser_without_prompts_applies_the_policy(db: Any) -> None:
    env = {"DJANGO_SUPERUSER_PASSWORD": "admin123"}
    with mock.patch.dict(os.environ, env), pytest.raises(CommandError, match="这个密码太常见了"):
        call_command("createsuperuser", "--noinput", username="boss", email="")
    assert not User.objects.filter(username="boss").exists()
    with mock.patch.dict(os.environ, {"DJANGO_SUPERUSER_PASSWORD": GOOD}):
        call_command("createsuperuser", "--noinput", username="boss", email="", verbosity=0)
    assert User.objects.get(username="boss").is_superuser
