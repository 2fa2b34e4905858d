"""A NUL character or a lone surrogate in an address or a query string is refused with 400
on every door, never a server error (PostgreSQL cannot store or compare such text)."""

import pytest
from django.test import Client

from zongzhi.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/cases/?q=%00",
        "/cases/?status=open%00",
        "/cases/%00/",
        "/hazards/?q=a%00b",
        "/portal/track/?code=%00",
        "/cases/?%00=1",
    ],
)
def test_a_nul_in_a_pages_address_is_a_readable_400(cast: Cast, address: str) -> None:
    from zongzhi.accounts.rules import Role

    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.get(address)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_the_page_for_a_bad_address_is_in_english_when_english_was_chosen(cast: Cast) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.get("/portal/track/?code=%00")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_open311_answers_a_nul_in_its_own_error_shape() -> None:
    response = Client().get("/open311/v2/requests.json?service_request_id=%00")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_the_api_keeps_its_own_answer_to_a_nul() -> None:
    response = Client().get("/api/cases/?q=%00")
    assert response.status_code in {401, 422}
    assert response["Content-Type"].startswith("application/json")


def test_ordinary_queries_pass(cast: Cast) -> None:
    from zongzhi.accounts.rules import Role

    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert client.get("/cases/?status=registered").status_code == 200
