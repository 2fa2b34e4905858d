"""The reads: services, service definitions, requests with the standard's filters, one
request, and mySociety's updates feed — in JSON and in the same XML."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case
from zongzhi.cases.tests.factories import registered
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast
from zongzhi.open311.tests.conftest import (
    REPLY,
    ClientSystem,
    as_text,
    get,
    submitted,
    walk_to_visited,
    xml_items,
)


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {r["service_request_id"] for r in response.json()}


def backdate(case: Case, days: int) -> None:
    Case.objects.filter(pk=case.pk).update(registered_at=timezone.now() - timedelta(days=days))


@pytest.mark.django_db
def test_services_are_the_second_level_categories_in_both_formats() -> None:
    response = get("services.json")

    services = response.json()
    assert len(services) == Category.objects.filter(parent__isnull=False).count()
    wages = next(s for s in services if s["service_code"] == "LZJF01")
    assert wages == {
        "service_code": "LZJF01",
        "service_name": "拖欠工资",
        "description": "劳资纠纷/欠薪：拖欠工资",
        "metadata": True,
        "type": "realtime",
        "keywords": "劳资纠纷/欠薪,拖欠工资",
        "group": "劳资纠纷/欠薪",
    }
    assert xml_items(get("services.xml").content, "services", "service") == as_text(services)


@pytest.mark.django_db
def test_a_service_definition_lists_its_attributes_in_both_formats() -> None:
    definition = get("services/LZJF01.json").json()

    assert definition["service_code"] == "LZJF01"
    by_code = {a["code"]: a for a in definition["attributes"]}
    assert list(by_code) == [
        "people_count",
        "amount",
        "threat_of_violence",
        "threat_of_self_harm",
        "respondent",
    ]
    assert by_code["threat_of_violence"]["datatype"] == "singlevaluelist"
    assert by_code["threat_of_violence"]["values"] == [
        {"key": "yes", "name": "有"},
        {"key": "no", "name": "无"},
    ]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3, 4, 5]

    root = ET.fromstring(get("services/LZJF01.xml").content)  # noqa: S314
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "LZJF01"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == list(by_code)
    assert [a.findtext("required") for a in attributes] == ["false"] * 5
    assert [v.findtext("key") for v in attributes[2].findall("values/value")] == ["yes", "no"]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["NOPE", "LZJF"])
def test_an_unknown_service_is_404_in_the_asked_format(code: str) -> None:
    assert get(f"services/{code}.json").json() == [
        {"code": 404, "description": f"service_code {code} 不存在"}
    ]
    as_xml = get(f"services/{code}.xml")
    assert as_xml.status_code == 404
    assert xml_items(as_xml.content, "errors", "error") == [
        {"code": "404", "description": f"service_code {code} 不存在"}
    ]


def test_requests_filter_by_status_service_and_id(hotline: ClientSystem, cast: Cast) -> None:
    wages = submitted(hotline.key)
    noise = submitted(hotline.key, service_code="HJBH01")
    done = walk_to_visited(cast, submitted(hotline.key))
    counter = registered(cast)  # came in at the counter: never published

    assert ids(get("requests.json")) == {wages.code, noise.code, done.code}
    assert ids(get("requests.json", status="open")) == {wages.code, noise.code}
    assert ids(get("requests.json", status="closed")) == {done.code}
    assert ids(get("requests.json", status="open,closed")) == {wages.code, noise.code, done.code}
    assert ids(get("requests.json", service_code="HJBH01")) == {noise.code}
    assert ids(get("requests.json", service_code="HJBH01,LZJF01", status="closed")) == {done.code}
    # service_request_id overrides every other filter, and never finds a counter case.
    asked = f"{wages.code},{done.code},{counter.code}"
    assert ids(get("requests.json", service_request_id=asked, status="closed")) == {
        wages.code,
        done.code,
    }


def test_requests_cover_the_last_90_days_unless_told_and_never_more(
    hotline: ClientSystem,
) -> None:
    recent = submitted(hotline.key)
    old = submitted(hotline.key)
    backdate(old, 100)
    start = (timezone.now() - timedelta(days=120)).date().isoformat()
    end = (timezone.now() - timedelta(days=40)).date().isoformat()

    assert ids(get("requests.json")) == {recent.code}
    assert ids(get("requests.json", start_date=f"{start}T00:00:00Z", end_date=end)) == {old.code}
    assert ids(get("requests.json", start_date=start)) == {old.code}  # 90 days from start
    assert ids(get("requests.json", service_request_id=old.code)) == {old.code}

    too_long = get("requests.json", start_date="2026-01-01T00:00:00+08:00", end_date="2026-06-01")
    assert too_long.status_code == 400
    assert "90" in too_long.json()[0]["description"]
    for params in [
        {"start_date": "2026-05-01", "end_date": "2026-04-01"},
        {"start_date": "yesterday"},
        {"status": "pending"},
    ]:
        response = get("requests.xml", **params)
        assert response.status_code == 400, params
        assert xml_items(response.content, "errors", "error")[0]["code"] == "400"


def test_one_request_reads_as_a_one_element_list_in_both_formats(
    hotline: ClientSystem, cast: Cast
) -> None:
    case = walk_to_visited(cast, submitted(hotline.key))

    [request] = get(f"requests/{case.code}.json").json()
    assert request["service_request_id"] == case.code
    assert request["status"] == "closed"
    assert request["status_notes"] == "回访：满意"
    assert request["agency_responsible"] == "宁州派出所"
    assert request["expected_datetime"] is None  # nothing is owed any more
    assert xml_items(get(f"requests/{case.code}.xml").content, "service_requests", "request") == [
        as_text([request])[0]
    ]

    counter = registered(cast)
    for code in ["260101-NOPE00", counter.code]:
        assert get(f"requests/{code}.json").status_code == 404
        missing = get(f"requests/{code}.xml")
        assert missing.status_code == 404
        assert xml_items(missing.content, "errors", "error")[0]["code"] == "404"


def test_an_open_request_says_what_happened_last_and_when_it_is_due(
    hotline: ClientSystem, cast: Cast
) -> None:
    case = submitted(hotline.key)
    [request] = get(f"requests/{case.code}.json").json()

    assert request["status"] == "open"
    assert request["status_notes"] == "事项已登记"
    assert request["agency_responsible"] == "宁州街道综治中心"
    assert request["expected_datetime"] is None  # not yet accepted: no handling deadline
    assert request["requested_datetime"].endswith("+08:00")

    services.case_accept(by=cast.by_role[Role.INTAKE_OFFICER], case=case)
    [request] = get(f"requests/{case.code}.json").json()
    assert request["status"] == "open"
    due = case.due_on
    assert due is not None
    assert request["status_notes"] == f"已受理，办理期限至{due.year}年{due.month}月{due.day}日"
    assert request["expected_datetime"] == f"{case.due_on}T23:59:59+08:00"


def test_the_xml_list_is_well_formed_and_says_what_the_json_says(
    hotline: ClientSystem, cast: Cast
) -> None:
    submitted(hotline.key)
    walk_to_visited(cast, submitted(hotline.key, **{"attribute[threat_of_violence]": "yes"}))

    as_json = get("requests.json").json()
    as_xml = get("requests.xml")
    assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
    assert as_xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert xml_items(as_xml.content, "service_requests", "request") == as_text(as_json)


def test_the_updates_feed_carries_progress_the_reply_and_the_return_visit(
    hotline: ClientSystem, cast: Cast
) -> None:
    case = walk_to_visited(cast, submitted(hotline.key))
    registered(cast)  # a counter case's steps are not published

    updates = get("servicerequestupdates.json").json()
    assert {u["service_request_id"] for u in updates} == {case.code}
    texts = [u["description"] for u in updates]
    assert texts[0] == "事项已登记"
    assert "已交由宁州派出所办理" in texts
    assert any(REPLY in t for t in texts)
    assert texts[-1] == "回访：满意"
    assert (updates[0]["status"], updates[-1]["status"]) == ("open", "closed")
    assert len({u["update_id"] for u in updates}) == len(updates)
    as_xml = get("servicerequestupdates.xml").content
    assert xml_items(as_xml, "service_request_updates", "request_update") == as_text(updates)

    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert get("servicerequestupdates.json", start_date=later).json() == []
    assert get("servicerequestupdates.json", start_date="2025-01-01").status_code == 200
    assert (
        get("servicerequestupdates.json", start_date="2025-01-01", end_date=later).status_code
        == 400
    )


def test_the_lists_take_the_same_queries_for_few_requests_and_many(
    hotline: ClientSystem, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    def queries(path: str, **params: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert get(path, **params).status_code == 200
        return len(captured)

    def counts() -> list[int]:
        return [
            queries("requests.json"),
            queries("requests.xml", api_key=hotline.key),
            queries("servicerequestupdates.json"),
            queries("services.json"),
        ]

    submitted(hotline.key)
    few = counts()
    for index in range(6):
        case = submitted(hotline.key, address_id=cast.places.v1.code if index % 2 else "")
        if index % 3 == 0:
            walk_to_visited(cast, case)
    assert len(get("requests.json").json()) == 7
    assert counts() == few
    # Cases, their villages, their latest public step; with a key, the key's lookup too.
    assert few[0] <= 3
    with django_assert_max_num_queries(5):
        get("requests.json", api_key=hotline.key)
    assert few[2] == 1 and few[3] == 1


def test_a_wrong_api_key_on_a_read_is_403(hotline: ClientSystem) -> None:
    assert get("requests.json", api_key="zz_wrong").status_code == 403
    assert get("requests.json", api_key=hotline.key).status_code == 200


@pytest.mark.django_db
def test_discovery_names_the_endpoint_and_its_formats() -> None:
    discovery = get("discovery.json").json()
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    root = ET.fromstring(get("discovery.xml").content)  # noqa: S314
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == endpoint[
        "formats"
    ]


def test_a_rejected_request_is_closed_and_says_why(hotline: ClientSystem, cast: Cast) -> None:
    case = submitted(hotline.key)
    assert get(f"requests/{case.code}.json").json()[0]["status"] == "open"

    services.case_reject(
        by=cast.by_role[Role.INTAKE_OFFICER], case=case, reason="不属于受理范围", notice="电话告知"
    )

    [request] = get(f"requests/{case.code}.json").json()
    assert request["status"] == "closed"
    assert request["status_notes"] == "不予受理。理由：不属于受理范围"
