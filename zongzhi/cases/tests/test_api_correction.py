"""更正 and the parties through the REST API: the same services, the same refusals, in
the API's one error shape."""

import json
from typing import Any

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case, CaseEvent, Party
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast
from zongzhi.core.identity import mask_identity, with_check_digit

NUMBER = with_check_digit("53042419800115123")


def url(case: Case, tail: str = "") -> str:
    return f"/api/cases/{case.code}{tail}"


def send(api: KeyClient, method: str, path: str, body: Any = None) -> Any:
    call = getattr(api.client, method)
    return call(
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=api._headers(None),
    )


def test_the_centre_corrects_a_case_through_the_api_and_the_timeline_says_what_changed(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.ACCEPTED)
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    response = api.post(
        url(case, "/correct"),
        {"category": "LZJF01", "amount": "1200.50", "region": cast.places.v1.code, "note": "核实"},
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["category"]["code"] == "LZJF01"
    assert body["amount"] == "1200.50"
    assert body["region"]["code"] == cast.places.v1.code
    last = body["timeline"][-1]
    assert last["step"]["code"] == Step.CORRECT and last["note"] == "核实"
    event = CaseEvent.objects.get(pk=last["id"])
    assert [c["field"] for c in event.data["changes"]] == ["category", "region", "amount"]


def test_the_correction_endpoint_refuses_as_the_page_does(cast: Cast) -> None:
    dispatched = case_in(cast, Status.IN_PROGRESS)
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    handler = KeyClient(cast.by_role[Role.UNIT_HANDLER])
    leader = KeyClient(cast.by_role[Role.LEADER])
    outsider = KeyClient(cast.outsider)
    assert_error(outsider.post(url(dispatched, "/correct"), {"title": "新"}), 404, "not_found")
    assert_error(leader.post(url(dispatched, "/correct"), {"title": "新"}), 403, "forbidden")
    refused = intake.post(url(dispatched, "/correct"), {"description": "新的描述"})
    assert "描述" in assert_error(refused, 409, "refused")["message"]
    bad = handler.post(url(dispatched, "/correct"), {"risk_level": "major"})
    assert_error(bad, 400, "invalid", "risk_reasons")
    closed = case_in(cast, Status.CLOSED)
    assert_error(handler.post(url(closed, "/correct"), {"amount": "5"}), 409, "refused")
    assert not CaseEvent.objects.filter(step__in=[Step.CORRECT, Step.CORRECT_FACTS]).exists()


def test_parties_are_added_edited_and_removed_through_the_api(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    api = KeyClient(cast.by_role[Role.UNIT_HANDLER])
    party = {
        "role": "respondent",
        "kind": "person",
        "name": "孙七",
        "address": "右所社区5组",
        "identity_number": NUMBER,
    }
    added = api.post(url(case, "/parties"), party)
    assert added.status_code == 201, added.content.decode()
    assert NUMBER not in added.content.decode()
    [sun] = [p for p in added.json()["parties"] if p["name"] == "孙七"]
    assert sun["identity_masked"] == mask_identity(NUMBER)
    edited = send(
        api,
        "put",
        url(case, f"/parties/{sun['id']}"),
        {**party, "identity_number": "", "phone": "13900000009"},
    )
    assert edited.status_code == 200, edited.content.decode()
    [sun] = [p for p in edited.json()["parties"] if p["id"] == sun["id"]]
    assert (sun["phone"], sun["identity_masked"]) == ("13900000009", mask_identity(NUMBER))
    removed = send(api, "delete", url(case, f"/parties/{sun['id']}"))
    assert removed.status_code == 200
    assert sun["id"] not in [p["id"] for p in removed.json()["parties"]]
    changes = CaseEvent.objects.filter(case=case, step=Step.CHANGE_PARTIES_AT_UNIT)
    assert [e.data["change"] for e in changes.order_by("pk")] == ["add", "edit", "remove"]


def test_the_party_endpoints_refuse_with_the_reason(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    other = case_in(cast, Status.IN_PROGRESS)
    handler = KeyClient(cast.by_role[Role.UNIT_HANDLER])
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    party = {"role": "other", "name": "王五"}
    assert_error(intake.post(url(case, "/parties"), party), 403, "forbidden")
    assert_error(KeyClient(cast.outsider).post(url(case, "/parties"), party), 404, "not_found")
    wrong = handler.post(url(case, "/parties"), {**party, "identity_number": "53042419800115"})
    assert_error(wrong, 400, "invalid", "identity_number")
    foreign = other.parties.first()
    assert foreign is not None
    assert_error(send(handler, "delete", url(case, f"/parties/{foreign.pk}")), 404, "not_found")
    assert_error(send(intake, "put", url(case, f"/parties/{foreign.pk}"), party), 404, "not_found")
    assert Party.objects.filter(pk=foreign.pk).exists()
    assert case.parties.count() == 2
