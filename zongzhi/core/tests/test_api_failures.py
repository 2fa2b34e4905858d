"""Every failure on the API and Open311 is answered in their JSON shapes: a crash is a 500
with a request id and no traceback, the database out of reach a 503 with Retry-After, an
over-large Open311 body a 413 in GeoReport's error document."""

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from zongzhi.accounts.rules import Role
from zongzhi.cases.tests.api_client import KeyClient
from zongzhi.conftest import Cast

pytestmark = pytest.mark.django_db


def _crash(exc: Exception) -> Any:
    def raising(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return raising


def test_an_unhandled_error_is_a_500_in_the_api_shape_without_a_traceback(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "zongzhi.cases.selectors.case_scope_q", _crash(KeyError("secret-internal-detail"))
    )
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    api.client = Client(raise_request_exception=False)
    response = api.get("/api/cases/", **{"X-Request-ID": "proxy-abc-123"})
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error"
    assert body["request_id"] == "proxy-abc-123" == response["X-Request-ID"]
    text = response.content.decode()
    assert "secret-internal-detail" not in text and "Traceback" not in text


def test_the_database_out_of_reach_is_a_503_with_retry_after(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "zongzhi.cases.selectors.case_scope_q",
        _crash(OperationalError('connection to server at "db" failed: Connection refused')),
    )
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    api.client = Client(raise_request_exception=False)
    response = api.get("/api/cases/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "unavailable" and body["request_id"]
    assert "Connection refused" not in response.content.decode()


def test_a_failure_before_the_api_view_is_still_json(monkeypatch: pytest.MonkeyPatch) -> None:
    # The session store or a middleware fails first (the database went away mid-request).
    monkeypatch.setattr(
        "zongzhi.core.middleware.IdleSessionTimeoutMiddleware.__call__",
        _crash(OperationalError("gone")),
    )
    client = Client(raise_request_exception=False)
    api = client.get("/api/cases/")
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json()["code"] == "unavailable"
    open311 = client.get("/open311/v2/services.json")
    assert open311.status_code == 503
    assert open311.json()[0]["code"] == 503


def test_open311_answers_an_over_large_body_with_413_in_its_error_document() -> None:
    response = Client().post(
        "/open311/v2/requests.json",
        "description=" + "x" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response.json()[0]["code"] == 413
    assert "提交的内容太大" in response.json()[0]["description"]


def test_a_page_during_a_database_outage_is_a_503_with_retry_after(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "zongzhi.cases.selectors.case_scope_q", _crash(OperationalError("server closed"))
    )
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.raise_request_exception = False
    response = client.get("/cases/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "server closed" not in response.content.decode()
