"""A real Open311 client from PyPI (georeport) against a live server, in both formats:
submitted with plain HTTP as the standard describes, read back with the client."""

from typing import Any

import pytest
import requests
from georeport import GeoReport

from zongzhi.accounts.tokens import create_client_system
from zongzhi.conftest import Places
from zongzhi.open311.tests.conftest import form


def plain(value: Any) -> dict[str, str]:
    """An item as xmltodict reads XML: every value a string, an empty element None."""
    return {
        k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
        for k, v in dict(value).items()
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_georeport_submits_and_reads_back_a_request_in_json_and_xml(
    live_server: Any, places: Places
) -> None:
    _, key = create_client_system(name="12345热线平台", region=places.t1)
    root = live_server.url + "/open311/v2"

    posted = requests.post(
        f"{root}/requests.json",
        data=form(key, **{"attribute[people_count]": "12"}),
        headers={"Idempotency-Key": "hotline-0001"},
        timeout=10,
    )
    assert posted.status_code == 200, posted.text
    [item] = posted.json()
    code = item["service_request_id"]

    as_json = GeoReport(root, output_format="json")
    as_xml = GeoReport(root, output_format="xml")

    services = as_json.get_service_list()
    assert {"service_code": "LZJF01", "group": "劳资纠纷/欠薪"}.items() <= next(
        s for s in services if s["service_code"] == "LZJF01"
    ).items()
    assert [plain(s) for s in as_xml.get_service_list()] == [plain(s) for s in services]

    definition = as_json.get_service_definition("LZJF01")
    assert [a["code"] for a in definition["attributes"]][:2] == ["people_count", "amount"]
    xml_definition = as_xml.get_service_definition("LZJF01")
    assert xml_definition["service_code"] == "LZJF01"
    assert [a["code"] for a in xml_definition["attributes"]["attribute"]] == [
        a["code"] for a in definition["attributes"]
    ]

    request = as_json.get_service_request(code)
    assert (request["service_request_id"], request["status"]) == (code, "open")
    assert request["service_code"] == "LZJF01"
    assert request["description"] is None  # the public never reads it
    assert plain(as_xml.get_service_request(code)) == plain(request)

    assert [r["service_request_id"] for r in as_json.get_service_requests()] == [code]
    listed = as_xml.get_service_requests(service_request_id=code, status="open")
    assert plain(listed) == plain(request)  # one request: xmltodict gives the item itself
    assert as_json.get_service_requests(status="closed") == []

    with pytest.raises(requests.HTTPError) as missing:
        as_xml.get_service_request("260101-NOPE00")
    assert missing.value.response.status_code == 404
