"""POST requests: a client system's request becomes a case through the normal intake,
once; every refusal in the standard's error shape."""

import threading
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import create_client_system, issue_token, revoke_token
from zongzhi.cases.models import Case, Party
from zongzhi.cases.public import ANONYMOUS_NAME
from zongzhi.cases.rules import Status, Step
from zongzhi.conftest import Cast
from zongzhi.open311 import services
from zongzhi.open311.models import Submission
from zongzhi.open311.tests.conftest import ClientSystem, get, post


def test_a_request_becomes_a_case_through_the_normal_intake(
    hotline: ClientSystem, cast: Cast
) -> None:
    response = post(
        hotline.key,
        **{
            "attribute[people_count]": "12",
            "attribute[amount]": "80000",
            "attribute[respondent]": "某建筑公司",
            "attribute[fixmystreet_id]": "77",  # another client's own attribute: ignored
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [item] = response.json()
    case = Case.objects.get(code=item["service_request_id"])
    assert case.channel == Case.Channel.API
    assert case.status == Status.REGISTERED
    assert case.category.code == "LZJF01"
    assert case.region == cast.places.g1  # the grid that holds the point
    assert (case.lat, case.lng) == (24.205, 102.905)
    assert case.address == "右所社区建设路18号"
    assert case.centre == cast.places.t1  # routed to the township's centre
    assert case.due_on is not None
    assert case.registered_by == hotline.user
    assert case.people_count == 12 and case.is_group
    assert case.amount == Decimal("80000")
    assert [(p.role, p.name, p.phone) for p in case.parties.all()] == [
        (Party.Role.APPLICANT, "张三", "13800000001"),
        (Party.Role.RESPONDENT, "某建筑公司", ""),
    ]
    [event] = case.events.all()
    assert (event.step, event.actor_name) == (Step.REGISTER, "12345热线平台")
    assert item["token"] == Submission.objects.get(case=case).token
    assert case.code in item["service_notice"]
    assert str(case.due_on) in item["service_notice"]
    assert item["account_id"] is None


def test_a_threat_of_self_harm_makes_the_case_urgent(hotline: ClientSystem) -> None:
    response = post(hotline.key, **{"attribute[threat_of_self_harm]": "yes"})

    [item] = response.json()
    case = Case.objects.get(code=item["service_request_id"])
    assert case.threat_of_self_harm and case.is_urgent
    assert case.events.get().data["care_referral_offered"] is True
    assert "紧急" in item["service_notice"]


def test_a_request_without_a_name_is_registered_as_anonymous(hotline: ClientSystem) -> None:
    response = post(hotline.key, first_name=None, last_name=None, phone=None)

    case = Case.objects.get(code=response.json()[0]["service_request_id"])
    assert [(p.name, p.phone) for p in case.parties.all()] == [(ANONYMOUS_NAME, "")]


def test_the_place_comes_from_address_id_else_the_point_else_the_clients_region(
    hotline: ClientSystem, cast: Cast
) -> None:
    def region_of(**fields: str | None) -> str:
        response = post(hotline.key, **fields)
        assert response.status_code == 200, response.content
        return Case.objects.get(code=response.json()[0]["service_request_id"]).region.name

    assert region_of(address_id=cast.places.v1.code, lat=None, long=None) == "右所社区"
    assert region_of(lat=None, long=None) == "宁州街道"  # the client's own township
    # A point in no grid of the client's region, with an address: the client's region.
    assert region_of(lat="24.5", long="103.5") == "宁州街道"


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"address_id": "530424102201"}, 403, "不在本接口密钥的登记范围内"),  # T2's village
        ({"address_id": "999999999999"}, 400, "address_id"),
        ({"lat": "24.5", "long": "103.5", "address_string": None}, 400, "不在本系统辖区"),
        ({"lat": "102.905", "long": "24.205"}, 400, "不在中国境内"),  # swapped
        ({"lat": "24.2", "long": None}, 400, "lat 与 long 须同时提供"),
        ({"lat": None, "long": None, "address_string": None}, 400, "address_string"),
    ],
)
def test_a_place_outside_the_clients_region_or_nowhere_is_refused(
    hotline: ClientSystem, fields: dict[str, str | None], status: int, words: str
) -> None:
    response = post(hotline.key, **fields)

    assert response.status_code == status
    assert words in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_validation_errors_come_in_the_standards_shape_naming_each_field(
    hotline: ClientSystem,
) -> None:
    bad = {
        "description": "  ",
        "attribute[people_count]": "0",
        "attribute[amount]": "-5",
        "attribute[threat_of_violence]": "maybe",
        "media_url": "javascript:alert(1)",
    }
    response = post(hotline.key, **bad)

    assert response.status_code == 400
    errors = response.json()
    assert {e["code"] for e in errors} == {400}
    named = " ".join(e["description"] for e in errors)
    for field in [
        "description",
        "attribute[people_count]",
        "attribute[amount]",
        "attribute[threat_of_violence]",
        "media_url",
    ]:
        assert field in named
    assert not Case.objects.exists()

    as_xml = post(hotline.key, "xml", **bad)
    assert as_xml.status_code == 400
    assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(as_xml.content)  # noqa: S314  (our own output)
    assert root.tag == "errors"
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [
        ("400", e["description"]) for e in errors
    ]


def test_a_missing_wrong_revoked_or_powerless_key_is_refused_with_403(
    hotline: ClientSystem, cast: Cast
) -> None:
    care_worker = cast.by_role[Role.CARE_WORKER]  # holds no REGISTER_CASE
    _, care_key = issue_token(by=care_worker, user=care_worker, name="脚本")
    revoked_user, revoked_key = create_client_system(name="旧系统", region=cast.places.t1)
    revoke_token(by=revoked_user, token=revoked_user.api_tokens.get())

    for key in ["", "zz_not-a-key", revoked_key, care_key]:
        for fmt in ["json", "xml"]:
            response = post(key, fmt)
            assert response.status_code == 403, (key, fmt)
    assert post("", "json").json()[0]["code"] == 403
    assert b"<code>403</code>" in post("", "xml").content
    assert not Case.objects.exists()


def test_an_unknown_service_code_is_404_in_the_asked_format(hotline: ClientSystem) -> None:
    for code in ["NOPE", "LZJF"]:  # LZJF is a first-level category, not a service
        assert post(hotline.key, service_code=code).status_code == 404
    as_xml = post(hotline.key, "xml", service_code="NOPE")
    assert as_xml.status_code == 404
    assert ET.fromstring(as_xml.content).findtext("error/code") == "404"  # noqa: S314
    assert not Case.objects.exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_first_response(
    hotline: ClientSystem, cast: Cast
) -> None:
    first = post(hotline.key, idempotency_key="order-1")
    again = post(hotline.key, idempotency_key="order-1")
    as_xml = post(hotline.key, "xml", idempotency_key="order-1")

    assert again.status_code == 200
    assert again.json() == first.json()
    assert ET.fromstring(as_xml.content).findtext("request/token") == first.json()[0]["token"]  # noqa: S314
    assert Case.objects.count() == 1
    assert Submission.objects.count() == 1

    # Keys are the client's own: another client's "order-1" is another request.
    other = create_client_system(name="部门系统", region=cast.places.t1)[1]
    assert post(other, idempotency_key="order-1").json() != first.json()
    assert post(hotline.key, idempotency_key="order-2").json() != first.json()
    assert Case.objects.count() == 3


def test_the_same_idempotency_key_with_another_description_is_409(hotline: ClientSystem) -> None:
    assert post(hotline.key, idempotency_key="order-9").status_code == 200
    changed = post(hotline.key, idempotency_key="order-9", description="另一处路灯不亮。")
    assert changed.status_code == 409
    assert "order-9" in changed.json()[0]["description"]
    assert Case.objects.count() == 1


def test_a_token_reads_back_the_request_id(hotline: ClientSystem) -> None:
    [item] = post(hotline.key).json()

    response = get(f"tokens/{item['token']}.json")
    assert response.json() == [
        {"service_request_id": item["service_request_id"], "token": item["token"]}
    ]
    as_xml = ET.fromstring(get(f"tokens/{item['token']}.xml").content)  # noqa: S314
    assert as_xml.findtext("request/service_request_id") == item["service_request_id"]
    assert get("tokens/unknown.json").status_code == 404


def test_a_media_url_is_kept_as_a_link_and_the_title_is_the_first_line(
    hotline: ClientSystem,
) -> None:
    long_line = "某工地拖欠十二名工人工资共八万元，工人多次讨要，老板避而不见，工人情绪激动。"
    [item] = post(
        hotline.key, description=f"{long_line}\n详情另附", media_url="https://example.org/1.jpeg"
    ).json()

    case = Case.objects.get(code=item["service_request_id"])
    assert "https://example.org/1.jpeg" in case.description
    assert case.title == long_line[:29] + "…"


def test_other_methods_are_refused(hotline: ClientSystem) -> None:
    from django.test import Client

    response = Client().delete("/open311/v2/requests.json")
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405
    assert Client().post("/open311/v2/services.json").status_code == 405


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_retries_racing_with_one_key_make_one_case_and_one_answer(
    hotline: ClientSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL")
    # Both retries pass the "already done?" check before either registers.
    both_checked = threading.Barrier(2, timeout=10)
    register = services.case_register_idempotent

    def register_together(**kwargs: Any) -> Any:
        both_checked.wait()
        return register(**kwargs)

    monkeypatch.setattr(services, "case_register_idempotent", register_together)
    answers: list[Any] = []

    def retry() -> None:
        try:
            answers.append(post(hotline.key, idempotency_key="race-1"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert Case.objects.count() == 1
    assert Submission.objects.count() == 1
