"""Open311 test helpers: a client system in township T1 with its key, and a POST as the
standard describes it (form-encoded, api_key among the fields)."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from zongzhi.accounts.models import User
from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import create_client_system
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.conftest import Cast

BASE = "/open311/v2"


@dataclass
class ClientSystem:
    user: User
    key: str


@pytest.fixture
def hotline(cast: Cast) -> ClientSystem:
    user, key = create_client_system(name="12345热线平台", region=cast.places.t1)
    return ClientSystem(user, key)


def form(key: str, **fields: Any) -> dict[str, Any]:
    """A valid submission in T1's grid g1 (its point lies inside g1's square)."""
    values: dict[str, Any] = {
        "api_key": key,
        "service_code": "LZJF01",
        "lat": "24.205",
        "long": "102.905",
        "address_string": "右所社区建设路18号",
        "description": "某工地拖欠12名工人工资共8万元，多次讨要未果。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800000001",
    }
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


def post(key: str, fmt: str = "json", *, idempotency_key: str | None = None, **fields: Any) -> Any:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return Client().post(f"{BASE}/requests.{fmt}", form(key, **fields), headers=headers)


def get(path: str, **params: Any) -> Any:
    return Client().get(f"{BASE}/{path}", params)


def xml_items(content: bytes, root: str, item: str) -> list[dict[str, str]]:
    """The items of an XML list document, each as {element: text} ("" when empty)."""
    tree = ET.fromstring(content)  # noqa: S314  (our own output)
    assert tree.tag == root
    return [{child.tag: child.text or "" for child in element} for element in tree]


def as_text(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """JSON items as XML writes them: true/false, empty for null."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return [{key: text(value) for key, value in row.items()} for row in rows]


def submitted(key: str, **fields: Any) -> Case:
    response = post(key, **fields)
    assert response.status_code == 200, response.content
    return Case.objects.get(code=response.json()[0]["service_request_id"])


INTERNAL_NOTE = "内部：当事人有前科，注意安全"
REPLY = "经调解，工资已于本月结清。"


def walk_to_visited(cast: Cast, case: Case) -> Case:
    """Accepted, dispatched to T1's police station, worked on (with an internal note),
    closed with a reply for the resident, and visited (satisfied)."""
    intake = cast.by_role[Role.INTAKE_OFFICER]
    handler = cast.by_role[Role.UNIT_HANDLER]
    services.case_accept(by=intake, case=case)
    services.case_dispatch(by=intake, case=case, lead_unit=cast.units.t1_station)
    services.case_start(by=handler, case=case)
    services.case_record_progress(by=handler, case=case, note=INTERNAL_NOTE)
    services.case_close(
        by=handler, case=case, outcome=Case.Outcome.MEDIATED, note="双方签订协议", reply=REPLY
    )
    services.case_visit(by=intake, case=case, satisfaction=Case.Satisfaction.SATISFIED)
    return case
