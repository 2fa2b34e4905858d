from typing import Any

from django.test import Client

from zongzhi.accounts.rules import Role
from zongzhi.conftest import PASSWORD, Cast


def login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_every_page_but_login_asks_for_a_login(cast: Cast) -> None:
    response = Client().get("/regions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_person_logs_in_and_sees_their_role_and_place(cast: Cast) -> None:
    client = Client()
    response = login(client, "t1_intake", PASSWORD)
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "受理员 · 宁州街道" in page
    # The navigation offers what an intake officer may use.
    assert 'href="/regions/"' in page
    assert 'href="/units/"' in page


def test_a_wrong_password_says_so_in_chinese(cast: Cast) -> None:
    page = login(Client(), "t1_intake", "wrong").content.decode()
    assert "用户名或密码不正确" in page


def test_repeated_failures_lock_the_login_even_with_the_right_password(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        login(client, "t1_intake", "wrong")
    response = login(client, "t1_intake", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂时锁定" in page
    assert "请 15 分钟 后再试" in page
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_block_other_people(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        login(client, "t1_intake", "wrong")
    assert login(Client(), "t1_leader", PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(cast: Cast) -> None:
    client = Client()
    for _ in range(4):
        login(client, "t1_intake", "wrong")
    assert login(client, "t1_intake", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        login(client, "t1_intake", "wrong")
    assert login(client, "t1_intake", PASSWORD).status_code == 302


def test_the_interface_switches_to_english(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Regions and grids" in page
    assert "Sign out" in page


def test_password_spraying_from_one_address_is_stopped_across_accounts(
    cast: Cast, settings: Any
) -> None:
    settings.ZONGZHI_LOGIN_ADDRESS_FAILURES = 6
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    # Two tries at each of three accounts: under the per-account limit every time.
    for name in ("t1_intake", "t1_leader", "t1_police") * 2:
        assert login(sprayer, name, "Spring2026!").status_code == 200
    response = login(sprayer, "v1_mediator", PASSWORD)
    assert response.status_code == 429
    assert "从本网络登录失败的次数过多" in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in sprayer.session
    # Someone elsewhere signs in as usual.
    assert login(Client(REMOTE_ADDR="198.51.100.7"), "v1_mediator", PASSWORD).status_code == 302


def test_behind_a_proxy_the_lock_follows_the_sender_not_the_proxy(
    cast: Cast, settings: Any
) -> None:
    settings.ZONGZHI_PROXY_HOPS = 1
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(5):
        login(attacker, "t1_intake", "wrong")
    assert login(attacker, "t1_intake", PASSWORD).status_code == 429
    # The same account from another sender behind the same proxy is not locked.
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert login(colleague, "t1_intake", PASSWORD).status_code == 302


def test_one_account_guessed_from_many_addresses_is_locked_everywhere(
    cast: Cast, settings: Any
) -> None:
    settings.ZONGZHI_PROXY_HOPS = 1
    settings.ZONGZHI_LOGIN_ACCOUNT_FAILURES = 8
    # Four tries from each of two senders behind the proxy: under the per-address lock.
    for sender in ("203.0.113.9", "203.0.113.10"):
        guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=sender)
        for _ in range(4):
            assert login(guesser, "t1_admin", "Spring2026!").status_code == 200
    third = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = login(third, "t1_admin", PASSWORD)
    assert response.status_code == 429
    assert "该账号近期登录失败的次数过多" in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in third.session
    # Other accounts from the same sender are not held up.
    assert login(third, "t1_leader", PASSWORD).status_code == 302


def test_spraying_behind_a_proxy_stops_the_sprayer_and_not_the_office_behind_it(
    cast: Cast, settings: Any
) -> None:
    settings.ZONGZHI_PROXY_HOPS = 1
    settings.ZONGZHI_LOGIN_ADDRESS_FAILURES = 4
    # The sprayer writes its own X-Forwarded-For; the proxy appends the address it saw.
    sprayer = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    for name in ("t1_intake", "t1_leader", "t1_police", "v1_mediator"):
        assert login(sprayer, name, "Spring2026!").status_code == 200
    assert login(sprayer, "v1_care", PASSWORD).status_code == 429
    # The address it pretended to be, behind the same proxy, signs in as usual.
    office = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert login(office, "v1_care", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_under_the_same_limits(cast: Cast, settings: Any) -> None:
    settings.ZONGZHI_LOGIN_ADDRESS_FAILURES = 3
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for name in ("t1_intake", "t1_leader", "t1_police"):
        login(sprayer, name, "Spring2026!")
    response = sprayer.post("/admin/login/", {"username": "t1_admin", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in sprayer.session
    # Anyone else still reaches the admin's own form.
    assert Client().get("/admin/login/").status_code == 200
