"""API keys: what a key lets through (and what it does not), what is kept of it, and the
page where a person makes and withdraws their own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zongzhi.accounts.models import ApiToken
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import issue_token, key_digest, revoke_token
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.conftest import Cast

CASES = "/api/cases/"


def test_only_the_digest_is_kept(cast: Cast) -> None:
    user = cast.by_role[Role.INTAKE_OFFICER]
    token, key = issue_token(by=user, user=user, name="统计脚本")
    assert key.startswith("zz_") and len(key) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(v) for v in stored.values()}
    assert stored["digest"] == key_digest(key) and stored["prefix"] == key[:10]


@pytest.mark.parametrize("problem", ["revoked", "unknown", "inactive user", "malformed"])
def test_a_key_that_is_not_good_gets_401_and_reads_nothing(cast: Cast, problem: str) -> None:
    user = cast.by_role[Role.INTAKE_OFFICER]
    token, key = issue_token(by=user, user=user, name="脚本")
    if problem == "revoked":
        revoke_token(by=user, token=token)
    elif problem == "unknown":
        key = key[:-4] + "abcd"
    elif problem == "inactive user":
        user.is_active = False
        user.save()
    else:
        key = "Basic " + key
    body = assert_error(KeyClient(user, key).get(CASES), 401, "unauthenticated")
    assert body["message"] == "请先登录或提供接口密钥"


def test_a_call_records_when_the_key_was_last_used(cast: Cast) -> None:
    user = cast.by_role[Role.INTAKE_OFFICER]
    token, key = issue_token(by=user, user=user, name="脚本")
    assert token.last_used_at is None
    assert KeyClient(user, key).get(CASES).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    long_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    KeyClient(user, key).get(CASES)
    token.refresh_from_db()
    assert token.last_used_at > long_ago


def test_a_key_acts_as_its_user_and_no_one_else(cast: Cast) -> None:
    care = KeyClient(cast.by_role[Role.CARE_WORKER])
    # A session of an intake officer in the same browser does not widen the key's scope.
    care.client.force_login(cast.by_role[Role.INTAKE_OFFICER])
    body = {
        "category": "LLJF01",
        "title": "t",
        "description": "d",
        "region": cast.places.g1.code,
        "channel": "phone",
        "parties": [{"name": "王芳"}],
    }
    assert_error(care.post(CASES, body), 403, "forbidden")


# --- The page -----------------------------------------------------------------------------


def test_the_page_makes_a_key_shows_it_once_and_revokes_it(cast: Cast) -> None:
    user = cast.by_role[Role.GRID_WORKER]
    other_user = cast.by_role[Role.LEADER]
    issue_token(by=SYSTEM, user=other_user, name="别人的密钥")
    client = cast.client_for(user)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    assert "您还没有接口密钥" in page.content.decode()
    made = client.post("/accounts/tokens/", {"name": "网格App"}, follow=True)
    html = made.content.decode()
    token = ApiToken.objects.get(user=user)
    assert "只显示这一次" in html and "离开本页后无法再次查看" in html
    start = html.index('data-testid="new-key-value">') + len('data-testid="new-key-value">')
    key = html[start : html.index("</textarea>", start)]
    assert key_digest(key) == token.digest
    assert made["Cache-Control"] == "no-store"
    # Shown once: the next visit lists it by name and prefix only.
    again = client.get("/accounts/tokens/").content.decode()
    assert key not in again and token.prefix in again and "网格App" in again
    assert "别人的密钥" not in again
    # It works, then it is withdrawn and stops working.
    assert KeyClient(user, key).get(CASES).status_code == 200
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert KeyClient(user, key).get(CASES).status_code == 401
    assert "已停用" in client.get("/accounts/tokens/").content.decode()


def test_a_name_is_needed_and_another_persons_key_cannot_be_revoked(cast: Cast) -> None:
    user = cast.by_role[Role.GRID_WORKER]
    client = cast.client_for(user)
    blank = client.post("/accounts/tokens/", {"name": "  "})
    assert blank.status_code == 400 and "请填写密钥用途" in blank.content.decode()
    assert not ApiToken.objects.exists()
    theirs, _ = issue_token(by=SYSTEM, user=cast.by_role[Role.LEADER], name="别人的")
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.get(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 405


def test_the_page_needs_a_signed_in_person(cast: Cast) -> None:
    from django.test import Client

    response = Client().get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
