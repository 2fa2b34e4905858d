"""The cases API: scope (the pages' scope; a client system sees only what it registered),
registering with an idempotency key, filters and pages, a unit's steps, errors, queries;
and the code lists a case uses, served under /api/reference/."""

import threading
import uuid
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.cases.tests.factories import case_in, new_case, registered
from zongzhi.conftest import Cast

CASES = "/api/cases/"


def detail(code: str) -> str:
    return f"{CASES}{code}"


def new_body(cast: Cast, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "LLJF01",
        "title": "楼上漏水多次协商未果",
        "description": "居民王某反映楼上住户卫生间漏水，协商三次未果。",
        "region": cast.places.g1.code,
        "channel": "phone",
        "parties": [{"role": "applicant", "name": "王芳", "phone": "13900000011"}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def t2_case(cast: Cast) -> Case:
    new = new_case(region=cast.places.g2, title="盘溪镇的事项")
    return services.case_register(by=cast.outsider, new=new)


# --- Scope ------------------------------------------------------------------------------


def test_each_role_reads_through_its_key_exactly_what_its_pages_show(
    cast: Cast, t2_case: Case
) -> None:
    mine = registered(cast)
    for role, user in cast.by_role.items():
        api = KeyClient(user)
        codes = {row["code"] for row in api.get(CASES).json()["items"]}
        may_view = role in {
            Role.INTAKE_OFFICER,
            Role.GRID_WORKER,
            Role.LEADER,
        }
        assert codes == ({mine.code} if may_view else set()), role
        assert api.get(detail(mine.code)).status_code == (200 if may_view else 404), role
        # Township T2's case is outside every one of them: the same 404 as no case at all.
        assert_error(api.get(detail(t2_case.code)), 404, "not_found")
    outsider = KeyClient(cast.outsider)
    assert [r["code"] for r in outsider.get(CASES).json()["items"]] == [t2_case.code]
    assert outsider.get(detail(mine.code)).status_code == 404


def test_a_unit_reads_the_cases_it_is_on(cast: Cast) -> None:
    on_it = case_in(cast, Status.IN_PROGRESS)
    registered(cast, title="尚未派单的事项")
    api = KeyClient(cast.by_role[Role.UNIT_HANDLER])
    assert [r["code"] for r in api.get(CASES).json()["items"]] == [on_it.code]
    body = api.get(detail(on_it.code)).json()
    assert body["lead_unit"] == {"id": cast.units.t1_station.pk, "name": "宁州派出所"}
    assert [p["name"] for p in body["parties"]] == ["张三", "李四"]


def test_a_client_system_reads_back_only_what_it_registered(cast: Cast) -> None:
    hotline = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    others = registered(cast)  # in the hotline's own township, by the intake officer
    body = {k: v for k, v in new_body(cast).items() if k != "channel"}
    created = hotline.post(CASES, body)
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    case = Case.objects.get(code=code)
    assert case.channel == Case.Channel.API and case.registered_by == hotline.user
    assert [r["code"] for r in hotline.get(CASES).json()["items"]] == [code]
    shown = hotline.get(detail(code)).json()
    assert shown["status"] == {"code": "registered", "name": "待受理"}
    assert [u["text"] for u in shown["progress"]] == ["事项已登记"]
    # The internal record and the parties are for the people who may view the case.
    assert shown["parties"] is None and shown["timeline"] is None
    assert_error(hotline.get(detail(others.code)), 404, "not_found")
    # Its own case, once the intake officer has it, still reads back with its progress.
    intake = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    seen = intake.get(detail(code)).json()
    assert [p["name"] for p in seen["parties"]] == ["王芳"]
    assert [e["step"]["code"] for e in seen["timeline"]] == ["register"]


def test_a_client_system_cannot_step_outside_its_region_or_act_on_cases(cast: Cast) -> None:
    hotline = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    outside = hotline.post(CASES, new_body(cast, region=cast.places.g2.code))
    assert_error(outside, 403, "forbidden")
    mine = Case.objects.get(code=hotline.post(CASES, new_body(cast)).json()["code"])
    intake = cast.by_role[Role.INTAKE_OFFICER]
    services.case_accept(by=intake, case=mine)
    services.case_dispatch(by=intake, case=mine, lead_unit=cast.units.t1_station)
    services.case_start(by=cast.by_role[Role.UNIT_HANDLER], case=mine)
    before = CaseEvent.objects.count()
    refused = hotline.post(f"{detail(mine.code)}/progress", {"note": "已联系"})
    assert_error(refused, 403, "forbidden")
    closing = {"outcome": "mediated", "note": "办结"}
    assert_error(hotline.post(f"{detail(mine.code)}/close", closing), 403, "forbidden")
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == before


def test_writes_outside_scope_change_nothing(cast: Cast, t2_case: Case) -> None:
    handler = KeyClient(cast.by_role[Role.UNIT_HANDLER])
    before = CaseEvent.objects.count()
    assert_error(
        handler.post(f"{detail(t2_case.code)}/progress", {"note": "越权"}), 404, "not_found"
    )
    close = {"outcome": "mediated", "note": "越权办结"}
    assert_error(handler.post(f"{detail(t2_case.code)}/close", close), 404, "not_found")
    care = KeyClient(cast.by_role[Role.CARE_WORKER])
    assert_error(care.post(CASES, new_body(cast)), 403, "forbidden")
    assert CaseEvent.objects.count() == before
    assert Case.objects.count() == 1


# --- Registering and idempotency --------------------------------------------------------


def test_an_api_retry_with_the_same_idempotency_key_creates_one_case(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    key = str(uuid.uuid4())
    first = api.post(CASES, new_body(cast), **{"Idempotency-Key": key})
    again = api.post(CASES, new_body(cast), **{"Idempotency-Key": key})
    in_body = api.post(CASES, new_body(cast, idempotency_key=key))
    assert (first.status_code, again.status_code, in_body.status_code) == (201, 200, 200)
    assert first.json()["code"] == again.json()["code"] == in_body.json()["code"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1
    assert Case.objects.get().idempotency_key == f"api:{api.user.pk}:{key}"
    # Without a key every submission is a new case.
    assert api.post(CASES, new_body(cast)).status_code == 201
    assert Case.objects.count() == 2


def test_a_client_systems_retry_returns_its_first_case(cast: Cast) -> None:
    hotline = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    first = hotline.post(CASES, new_body(cast, idempotency_key="12345-20260301-0001"))
    again = hotline.post(CASES, new_body(cast, idempotency_key="12345-20260301-0001"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Case.objects.count() == 1


def test_the_same_key_with_a_different_body_is_409_naming_the_key(cast: Cast) -> None:
    hotline = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    key = "12345-20260301-0002"
    assert hotline.post(CASES, new_body(cast, idempotency_key=key)).status_code == 201
    changed = hotline.post(CASES, new_body(cast, idempotency_key=key, title="另一件事"))
    conflict = assert_error(changed, 409, "idempotency_conflict", "idempotency_key")
    assert key in conflict["message"]
    assert Case.objects.count() == 1


def test_two_callers_choosing_the_same_key_never_meet(cast: Cast) -> None:
    a = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    b = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    first = a.post(CASES, new_body(cast), **{"Idempotency-Key": "order-1"})
    second = b.post(CASES, new_body(cast), **{"Idempotency-Key": "order-1"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["code"] != second.json()["code"]


def test_a_bad_or_contradictory_key_is_refused_naming_the_field(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    both = api.post(CASES, new_body(cast, idempotency_key="a"), **{"Idempotency-Key": "b"})
    assert_error(both, 400, "invalid", "idempotency_key")
    too_long = api.post(CASES, new_body(cast, idempotency_key="x" * 41))
    assert_error(too_long, 422, "invalid_input", "idempotency_key")
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_with_one_key_create_one_case(cast: Cast) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL")
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    start = threading.Barrier(2)
    statuses: list[int] = []

    def submit() -> None:
        try:
            client = KeyClient(api.user, api.key)
            start.wait()
            statuses.append(
                client.post(CASES, new_body(cast), **{"Idempotency-Key": "k-1"}).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 2 and set(statuses) <= {200, 201}
    assert Case.objects.count() == 1


def test_bad_input_is_refused_in_chinese_naming_the_field_and_changes_nothing(
    cast: Cast,
) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    no_channel = {k: v for k, v in new_body(cast).items() if k != "channel"}
    assert assert_error(api.post(CASES, no_channel), 400, "invalid", "channel")["message"] == (
        "请填写来源渠道"
    )
    blank = assert_error(api.post(CASES, new_body(cast, title="  ")), 400, "invalid", "title")
    assert blank["message"] == "请填写事项标题"
    assert_error(api.post(CASES, new_body(cast, region="999")), 400, "invalid", "region")
    assert_error(api.post(CASES, new_body(cast, category="LLJF")), 400, "invalid", "category")
    assert_error(api.post(CASES, new_body(cast, parties=[])), 400, "invalid", "parties")
    half = new_body(cast, lng=102.905)
    assert_error(api.post(CASES, half), 400, "invalid", "lng")
    assert_error(api.post(CASES, new_body(cast, channel="fax")), 422, "invalid_input", "channel")
    nul = api.post(CASES, new_body(cast, title="漏\x00水"))
    assert_error(nul, 422, "invalid_input", "title")
    assert not Case.objects.exists()


def test_a_point_places_the_case_in_its_grid(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    body = new_body(cast, region=cast.places.v1.code, lng=102.905, lat=24.205)
    created = api.post(CASES, body).json()
    assert created["region"] == {"code": cast.places.g1.code, "name": "右所社区第1网格"}
    assert (created["lng"], created["lat"]) == (102.905, 24.205)


# --- The list's filters and pages -------------------------------------------------------


def test_the_list_filters_and_pages(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    a = registered(cast, title="甲 漏水")
    b = registered(cast, title="乙 占道", channel=Case.Channel.HOTLINE)
    c = case_in(cast, Status.IN_PROGRESS, title="丙 欠薪")

    def codes(**params: Any) -> list[str]:
        response = api.get(CASES, params)
        assert response.status_code == 200, response.content
        return [r["code"] for r in response.json()["items"]]

    assert codes() == [c.code, b.code, a.code]  # newest first
    assert codes(status="in_progress") == [c.code]
    assert codes(channel="hotline") == [b.code]
    assert codes(q="漏水") == [a.code]
    assert codes(category="LLJF") == [c.code, b.code, a.code]  # a first-level code
    assert codes(region=cast.places.v1.code) == [c.code, b.code, a.code]
    assert codes(region=cast.places.t2.code) == []
    assert codes(unit=cast.units.t1_station.pk) == [c.code]
    assert codes(overdue="true") == []
    assert codes(registered_to="2000-01-01") == []
    page = api.get(CASES, {"limit": 2, "offset": 1}).json()
    assert (page["count"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [r["code"] for r in page["items"]] == [b.code, a.code]
    assert_error(api.get(CASES, {"region": "1"}), 400, "invalid", "region")
    assert_error(api.get(CASES, {"status": "lost"}), 422, "invalid_input", "status")
    assert_error(api.get(CASES, {"limit": 0}), 422, "invalid_input", "limit")
    assert_error(
        api.get(CASES, {"registered_from": "2026-02-01", "registered_to": "2026-01-01"}),
        400,
        "invalid",
        "registered_to",
    )


# --- A unit's steps ---------------------------------------------------------------------


def test_the_lead_unit_records_progress_and_closes_with_a_public_reply(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    handler = KeyClient(cast.by_role[Role.UNIT_HANDLER])
    noted = handler.post(f"{detail(case.code)}/progress", {"note": "已约双方到所里调解"})
    assert noted.status_code == 200
    assert noted.json()["timeline"][-1]["note"] == "已约双方到所里调解"
    closing = {"outcome": "mediated", "note": "双方签订协议", "reply": "已调解，杂物已清理。"}
    closed = handler.post(f"{detail(case.code)}/close", closing).json()
    assert closed["status"]["code"] == "closed"
    assert closed["progress"][-1]["text"] == "已办结：调解成功。已调解，杂物已清理。"
    # A closed case cannot be closed again: 409 in the one shape.
    assert_error(handler.post(f"{detail(case.code)}/close", closing), 409, "refused")
    blank = handler.post(f"{detail(case.code)}/progress", {"note": " "})
    assert blank.status_code in {400, 409}


# --- Errors and queries -----------------------------------------------------------------


def test_without_a_valid_key_every_operation_answers_401_in_the_one_shape(cast: Cast) -> None:
    case = registered(cast)
    for client in [KeyClient(cast.by_role[Role.INTAKE_OFFICER], key="zz_not-a-key")]:
        assert_error(client.get(CASES), 401, "unauthenticated")
        assert_error(client.get(detail(case.code)), 401, "unauthenticated")
        assert_error(client.post(CASES, new_body(cast)), 401, "unauthenticated")
    assert Case.objects.count() == 1


def test_unsafe_text_and_unreadable_bodies_are_bad_input_not_server_errors(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    # A NUL anywhere (PostgreSQL refuses it) is refused before any query, for every router.
    assert_error(api.get(CASES, {"q": "漏\x00水"}), 422, "invalid_input", "q")
    assert_error(api.get(f"{CASES}A%00B"), 422, "invalid_input")
    assert_error(
        api.get("/api/analytics/figures", {"region": "\x00"}), 422, "invalid_input", "region"
    )
    assert_error(api.get("/api/care/files/%00"), 422, "invalid_input")
    not_json = api.client.post(
        CASES, "{title", content_type="application/json", headers=api._headers(None)
    )
    body = assert_error(not_json, 400, "unreadable")
    assert body["message"].startswith("请求体无法解析")
    assert not Case.objects.exists()


def _queries(api: KeyClient, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url, params).status_code == 200
    return len(queries)


def test_the_list_and_the_detail_cost_the_same_queries_however_many_rows(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    api.get(CASES)  # the key's last use is written once a minute, not per call
    one = case_in(cast, Status.IN_PROGRESS)
    few = _queries(api, CASES), _queries(api, detail(one.code))
    for _ in range(4):
        case_in(cast, Status.CLOSED)
    many_cases = case_in(cast, Status.ARCHIVED)
    many = _queries(api, CASES), _queries(api, detail(many_cases.code))
    assert few == many
    assert many[0] <= 4  # the key, the grants, the count, the page
    assert many[1] <= 9


def test_the_client_systems_list_costs_the_same_however_many_rows(cast: Cast) -> None:
    hotline = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    hotline.post(CASES, new_body(cast))
    few = _queries(hotline, CASES)
    for _ in range(5):
        hotline.post(CASES, new_body(cast))
    assert _queries(hotline, CASES) == few <= 4


def test_responses_carry_chinese_as_chinese_not_escapes(cast: Cast) -> None:
    registered(cast)
    body = KeyClient(cast.by_role[Role.INTAKE_OFFICER]).get(CASES).content.decode()
    assert "待受理" in body and "\\u" not in body


def test_code_lists_are_the_models_codes_with_their_chinese_names(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    ref = "/api/reference"
    channels = api.get(f"{ref}/channels").json()
    assert {"code": "api", "name": "API"} in channels
    assert [c["code"] for c in channels] == list(Case.Channel.values)
    statuses = api.get(f"{ref}/statuses").json()
    assert statuses[0] == {"code": "registered", "name": "待受理"}
    assert [r["code"] for r in api.get(f"{ref}/risk-levels").json()] == list(Case.Risk.values)
    assert {"code": "mediated", "name": "调解成功"} in api.get(f"{ref}/outcomes").json()
