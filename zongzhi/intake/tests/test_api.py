"""POST /api/cases/suggest: its answer's shape, who may ask, and the fallback without
history."""

from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.conftest import Cast, make_user

pytestmark = pytest.mark.django_db

URL = "/api/cases/suggest"


def ask(client: KeyClient, cast: Cast, **body: Any) -> Any:
    request = {
        "title": "邻居堆放杂物堵住通道",
        "description": "张三来电，邻居李四又在共用通道上堆放杂物，家里老人出不了门。",
        "region": cast.places.g1.code,
        "phone": "138 0000 0001",
    }
    request.update(body)
    return client.post(URL, request)


def test_it_answers_categories_units_duplicates_and_flags_best_first(cast: Cast) -> None:
    open_case = registered(cast)  # 张三 (13800000001) about 李四's things in the passage
    answer = ask(KeyClient(cast.by_role[Role.INTAKE_OFFICER]), cast)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert set(body) == {"categories", "units", "duplicates", "flags", "source", "note"}
    first = body["duplicates"][0]
    assert first["code"] == open_case.code and first["likely"] is True
    assert {"同一村", "相同电话"} <= set(first["reasons"])
    scores = [d["score"] for d in body["duplicates"]]
    assert scores == sorted(scores, reverse=True)


def test_without_history_it_says_so_and_suggests_by_keywords(cast: Cast) -> None:
    body = ask(KeyClient(cast.by_role[Role.INTAKE_OFFICER]), cast).json()
    assert body["source"] == "keywords" and "历史数据不足" in body["note"]
    assert body["categories"][0]["code"] == "LLJF01"  # 邻居, 共用通道
    unclear = ask(
        KeyClient(cast.by_role[Role.INTAKE_OFFICER]), cast, title="求助", description="请回电。"
    )
    assert unclear.json()["categories"] == []  # nothing matched: no guess


def test_it_flags_threats_and_groups_for_the_officer_to_confirm(cast: Cast) -> None:
    body = ask(
        KeyClient(cast.by_role[Role.INTAKE_OFFICER]),
        cast,
        description="十几名工人讨薪，其中一人爬上塔吊扬言跳下，另有人扬言要拼命。",
    ).json()
    assert {f["code"] for f in body["flags"]} == {"violence", "self_harm", "group"}


def test_only_callers_who_may_register_there_are_answered(cast: Cast) -> None:
    outsider = ask(KeyClient(cast.outsider), cast)  # T2's officer, asking about T1
    assert_error(outsider, 403, "forbidden")
    leader = ask(KeyClient(cast.by_role[Role.LEADER]), cast)  # reads, does not register
    assert_error(leader, 403, "forbidden")


def test_a_client_system_sees_no_duplicates_it_may_not_read(cast: Cast) -> None:
    case_in(cast, Status.ACCEPTED)  # registered by the counter, same phone and words
    hotline = make_user("hotline", Role.CLIENT_SYSTEM, region=cast.places.county)
    body = ask(KeyClient(hotline), cast).json()
    assert body["duplicates"] == []
