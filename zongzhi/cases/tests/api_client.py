"""Calling the REST API in tests as another system does: with a Bearer key."""

import json
from typing import Any

from django.test import Client

from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.tokens import issue_token


class KeyClient:
    """A test client that sends `Authorization: Bearer <key>` for `user` on every call."""

    def __init__(self, user: User, key: str | None = None) -> None:
        self.user = user
        self.key = key or issue_token(by=SYSTEM, user=user, name="测试")[1]
        self.client = Client()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", **(extra or {})}

    def get(self, url: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(url, params or {}, headers=self._headers(headers))

    def post(self, url: str, body: Any, **headers: str) -> Any:
        return self.client.post(
            url, json.dumps(body), content_type="application/json", headers=self._headers(headers)
        )


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """The response is the API's one error shape, with this status, code and field."""
    assert response.status_code == status, response.content.decode()
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "message_en", "field", "errors"}, body
    assert body["code"] == code, body
    assert body["message"] and body["message_en"], body
    assert body["field"] == field, body
    return body
