"""A session left idle is signed out; one in use stays signed in."""

import time

from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast
from zongzhi.core.middleware import LAST_SEEN


def _idle_for(client, seconds: int) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_past_the_limit_is_signed_out_and_told_why(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZONGZHI_IDLE_MINUTES = 30
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert client.get("/cases/").status_code == 200
    _idle_for(client, 31 * 60)

    response = client.get("/cases/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/cases/")
    assert "_auth_user_id" not in client.session
    assert "为安全起见已退出" in response.content.decode()


def test_a_session_in_use_stays_signed_in(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ZONGZHI_IDLE_MINUTES = 30
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.get("/cases/")
    _idle_for(client, 29 * 60)
    assert client.get("/cases/").status_code == 200
    # That request counted as activity: the clock starts again from it.
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    assert client.get("/cases/").status_code == 200
