"""What a reader sees (see the package docstring): the public reads only public fields of
requests that came in through the public doors; the client that submitted a request also
reads back what it sent; nobody reads parties, phone numbers or internal notes."""

from typing import Any

from zongzhi.accounts.tokens import create_client_system
from zongzhi.cases.models import Case
from zongzhi.cases.tests.factories import registered
from zongzhi.conftest import Cast
from zongzhi.open311.tests.conftest import (
    INTERNAL_NOTE,
    ClientSystem,
    get,
    submitted,
    walk_to_visited,
)

DESCRIPTION = "王五反映：老板李四拖欠工资8万元，电话13912345678。"
PRIVATE = ["王五", "李四", "13912345678", "13800000001", "张三", "建设路", "24.205", "102.905"]


def everything(**params: str) -> list[Any]:
    """Every read a reader can make, in both formats."""
    responses = []
    for fmt in ["json", "xml"]:
        responses.append(get(f"requests.{fmt}", **params))
        responses.append(get(f"servicerequestupdates.{fmt}", **params))
    return responses


def test_the_public_reads_no_description_party_phone_address_point_or_note(
    hotline: ClientSystem, cast: Cast
) -> None:
    case = walk_to_visited(
        cast, submitted(hotline.key, description=DESCRIPTION, **{"attribute[respondent]": "李四"})
    )

    [request] = get(f"requests/{case.code}.json").json()
    assert request["description"] is None
    assert (request["lat"], request["long"]) == (None, None)
    assert (request["address"], request["address_id"]) == ("右所社区", "530424001001")
    for response in [*everything(), get(f"requests/{case.code}.xml")]:
        body = response.content.decode()
        assert response.status_code == 200
        for secret in [*PRIVATE, INTERNAL_NOTE, DESCRIPTION]:
            assert secret not in body, (response.request["PATH_INFO"], secret)


def test_the_submitting_client_reads_back_what_it_sent_and_no_one_else_does(
    hotline: ClientSystem, cast: Cast
) -> None:
    case = submitted(hotline.key, description=DESCRIPTION)
    other_key = create_client_system(name="部门系统", region=cast.places.t1)[1]

    [own] = get(f"requests/{case.code}.json", api_key=hotline.key).json()
    assert own["description"] == DESCRIPTION
    assert own["address"] == "右所社区建设路18号"
    assert (own["lat"], own["long"]) == (24.205, 102.905)
    [listed] = get("requests.json", api_key=hotline.key).json()
    assert listed == own

    [theirs] = get(f"requests/{case.code}.json", api_key=other_key).json()
    assert theirs == get(f"requests/{case.code}.json").json()[0]
    assert theirs["description"] is None
    # Even its own submitter never reads the parties back: they are not part of a request.
    for body in [get("requests.xml", api_key=hotline.key).content.decode(), str(own)]:
        assert "13800000001" not in body and "张三" not in body


def test_only_what_came_through_open311_is_published(hotline: ClientSystem, cast: Cast) -> None:
    submitted = registered(cast, channel=Case.Channel.API, description=DESCRIPTION)
    online = registered(cast, channel=Case.Channel.ONLINE, description=DESCRIPTION)
    counter = registered(cast, channel=Case.Channel.VISIT)
    hotline_call = registered(cast, channel=Case.Channel.HOTLINE)

    listed = {r["service_request_id"] for r in get("requests.json").json()}
    assert listed == {submitted.code}
    asked = ",".join(c.code for c in [submitted, online, counter, hotline_call])
    assert {
        r["service_request_id"] for r in get("requests.json", service_request_id=asked).json()
    } == {submitted.code}
    # The portal's tracking code is the resident's key: never listed, never read here.
    for hidden in [online, counter]:
        assert get(f"requests/{hidden.code}.json").status_code == 404
        assert hidden.code not in get("servicerequestupdates.json").content.decode()
    # A request's text is not public, even for another client system's key.
    [request] = get(f"requests/{submitted.code}.json", api_key=hotline.key).json()
    assert request["description"] is None
    for response in everything():
        assert "13800000001" not in response.content.decode()  # the factory's applicant
