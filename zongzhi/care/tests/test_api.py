"""The care API: the same scope as the pages, every file read logged, sensitive sections
behind a stated purpose, and a valid OpenAPI document."""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.care import access, rules, services
from zongzhi.care.models import CareAccess, CareFile
from zongzhi.care.tests.conftest import CareCast, open_file
from zongzhi.care.tests.reading import child_file, client_for, v2_file

FILES = "/api/care/files"


def detail(code: str) -> str:
    return f"{FILES}/{code}"


def get(user: Any, url: str, **params: Any) -> Any:
    return client_for(user).get(url, params)


def readers_and_strangers(care: CareCast) -> list[Any]:
    cast = care.cast
    return [
        *cast.by_role.values(),
        cast.outsider,
        care.worker2,
        care.supervisor2,
        care.county_supervisor,
        care.supervisor,
    ]


# --- The document ---------------------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def test_the_openapi_document_is_served_and_every_reference_resolves(care: CareCast) -> None:
    response = get(care.worker, "/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "zongzhi"
    paths = document["paths"]
    for path in ["/api/care/files", "/api/care/files/{code}", "/api/care/visits/due"]:
        assert "get" in paths[path], path
        assert paths[path]["get"]["tags"] == ["特殊人群"]
    schemas = document["components"]["schemas"]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref
    # Described in Chinese, for the people integrating with it.
    detail_schema = schemas["FileDetail"]["properties"]
    assert detail_schema["identity_masked"]["description"].startswith("身份证号码（脱敏）")
    params = {p["name"]: p for p in paths["/api/care/files/{code}"]["get"]["parameters"]}
    assert params["purpose"]["description"] == "查阅目的代码"
    assert "referral" in paths["/api/care/files/{code}"]["get"]["description"]
    # The session reader of the document works too.
    assert get(care.worker, "/api/docs").status_code == 200


def test_an_anonymous_call_gets_401_in_json_not_the_login_page(care: CareCast) -> None:
    for url in [FILES, detail(care.file.code), "/api/care/visits/due"]:
        response = Client().get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "unauthenticated"
    assert not CareAccess.objects.exists()


# --- The list -------------------------------------------------------------------------


def test_the_list_holds_what_its_reader_may_read_and_nothing_else(care: CareCast) -> None:
    child = child_file(care)
    other = v2_file(care)
    closed = open_file(care.worker, care.cast.places.v1, person_name="张三", identity_number="")
    services.care_file_close(by=care.supervisor, file=closed, reason="recovered")
    for user in readers_and_strangers(care):
        response = get(user, FILES, include_closed="true")
        assert response.status_code == 200
        codes = {item["code"] for item in response.json()["items"]}
        assert codes == set(access.readable_files(user).values_list("code", flat=True)), user
        assert response.json()["count"] == len(codes)
    worker_codes = {i["code"] for i in get(care.worker, FILES).json()["items"]}
    assert worker_codes == {care.file.code, child.code}  # closed files only on request
    assert {i["code"] for i in get(care.supervisor2, FILES).json()["items"]} == {other.code}
    # The county supervisor sees both townships' adults, but no child's file.
    county = {i["code"] for i in get(care.county_supervisor, FILES).json()["items"]}
    assert county == {care.file.code, other.code}
    assert not CareAccess.objects.exists()  # a list is not a read of each file


def test_a_list_row_shows_the_masked_number_and_names_its_codes(care: CareCast) -> None:
    (row,) = get(care.worker, FILES).json()["items"]
    f = care.file
    assert row == {
        "code": f.code,
        "name": "李建国",
        "identity_masked": f.identity_masked,
        "programme": {"code": "mental_health", "name": "严重精神障碍患者服务管理"},
        "level": {"code": "2", "name": "2级（基本稳定）"},
        "region": {"code": care.cast.places.v1.code, "name": "右所社区"},
        "next_visit_due": f.next_visit_due.isoformat(),
        "in_transfer": False,
        "closed_on": None,
    }
    assert "*" * 10 in row["identity_masked"]


def test_the_list_filters_by_programme_and_pages(care: CareCast) -> None:
    child_file(care)
    response = get(care.supervisor, FILES, programme=rules.LEFT_BEHIND_CHILDREN.code)
    assert [i["name"] for i in response.json()["items"]] == ["王小明"]
    assert get(care.supervisor, FILES, page=2).json() == {"items": [], "count": 2}
    assert get(care.supervisor, FILES, page=0).status_code == 422


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_costs_the_same_queries_however_many_files(
    care: CareCast, count: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(count - 1):
        open_file(care.worker, care.cast.places.v1, person_name=f"人员{i}", identity_number="")
    client = client_for(care.supervisor)
    with django_assert_max_num_queries(6):
        response = client.get(FILES)
    assert response.json()["count"] == count


# --- One file -------------------------------------------------------------------------


def test_reading_a_file_writes_one_log_row_per_request(care: CareCast) -> None:
    client = client_for(care.worker)
    for expected in [1, 2]:
        response = client.get(detail(care.file.code))
        assert response.status_code == 200
        rows = list(CareAccess.objects.filter(file=care.file))
        assert len(rows) == expected
        assert {(r.what, r.via, r.user_id, r.purpose) for r in rows} == {
            ("file", "api", care.worker.pk, "")
        }


def test_without_a_purpose_the_sensitive_sections_are_withheld_and_said_so(
    care: CareCast,
) -> None:
    services.care_file_record_visit(
        by=care.worker,
        file=care.file,
        visited_on=timezone.localdate(),
        method="home",
        seen="按时服药，情绪平稳",
    )
    body = get(care.worker, detail(care.file.code)).json()
    assert body["withheld"] == ["programme_note", "plan", "assessments", "visits", "assistance"]
    assert "健康信息" in body["withheld_reason"] and "purpose" in body["withheld_reason"]
    for section in body["withheld"]:
        assert body[section] is None
    assert "按时服药" not in json.dumps(body, ensure_ascii=False)
    # What is not sensitive is there: the basics, the team, the transfer status.
    assert body["name"] == "李建国" and body["identity_masked"] == care.file.identity_masked
    assert body["team"] == [
        {
            "name": care.worker.full_name,
            "duty": {"code": "lead", "name": "包保责任人"},
            "has_account": True,
            "joined_on": timezone.localdate().isoformat(),
        }
    ]
    assert body["transfer"] is None and body["in_transfer"] is False
    assert body["purpose"] is None
    assert not CareAccess.objects.filter(what="sensitive").exists()


def test_with_a_purpose_the_sensitive_sections_come_and_the_purpose_is_logged(
    care: CareCast,
) -> None:
    f = care.file
    today = timezone.localdate()
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=today, method="home", seen="服药正常"
    )
    services.care_file_add_plan_item(
        by=care.worker, file=f, need="按时服药", measure="每周提醒", who="李芳"
    )
    services.care_file_add_assistance(
        by=care.worker, file=f, kind="subsistence", granted_on=today, amount=Decimal("500")
    )
    services.care_file_assess(
        by=care.worker, file=f, level="3", reasons=["relapse", "no_medication"]
    )
    response = get(care.worker, detail(f.code), purpose="visit", purpose_note="明日入户")
    assert response.status_code == 200
    body = response.json()
    assert body["withheld"] == [] and body["withheld_reason"] is None
    assert body["purpose"] == {"code": "visit", "name": "走访准备"}
    assert [v["seen"] for v in body["visits"]] == ["服药正常"]
    assert body["visits"][0]["method"] == {"code": "home", "name": "入户走访"}
    assert [p["need"] for p in body["plan"]] == ["按时服药"]
    assert body["assistance"][0]["kind"]["name"] == "最低生活保障（低保）"
    assert Decimal(str(body["assistance"][0]["amount"])) == Decimal("500")
    latest = body["assessments"][0]
    assert latest["level"] == {"code": "3", "name": "3级（不稳定）"}
    assert latest["reasons"] == [
        {"code": "relapse", "name": "近期病情波动或复发"},
        {"code": "no_medication", "name": "未规律服药"},
    ]
    assert len(body["assessments"]) == 2  # the enrolment's and today's
    rows = {(r.what, r.via, r.purpose, r.purpose_note) for r in CareAccess.objects.all()}
    assert rows == {("file", "api", "", ""), ("sensitive", "api", "visit", "明日入户")}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"purpose": "curiosity"}, "purpose", "请选择查阅目的"),
        ({"purpose": ""}, "purpose", "请选择查阅目的"),
        ({"purpose": "referral"}, "purpose_note", "向有关部门转介须写明接收单位和依据"),
        ({"purpose": "referral", "purpose_note": "  "}, "purpose_note", "接收单位"),
    ],
)
def test_a_bad_purpose_is_refused_in_json_and_reads_nothing(
    care: CareCast, params: dict[str, str], field: str, message: str
) -> None:
    response = get(care.worker, detail(care.file.code), **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field
    assert message in body["message"]
    assert body["errors"] == [{"field": field, "message": body["message"]}]
    assert not CareAccess.objects.exists()


def test_a_referral_with_its_note_opens_the_sections(care: CareCast) -> None:
    response = get(
        care.supervisor, detail(care.file.code), purpose="referral", purpose_note="县卫健局，依函"
    )
    assert response.status_code == 200 and response.json()["visits"] == []
    assert CareAccess.objects.get(what="sensitive").purpose_note == "县卫健局，依函"


def test_a_file_with_nothing_sensitive_needs_no_purpose(care: CareCast) -> None:
    homeless = open_file(
        care.worker,
        care.cast.places.v1,
        programme=rules.HOMELESS_ASSISTANCE.code,
        person_name="陈某",
        identity_number="",
        level="low",
        level_reasons=["sheltered"],
    )
    body = get(care.worker, detail(homeless.code)).json()
    assert body["withheld"] == [] and body["visits"] == [] and len(body["assessments"]) == 1
    assert [r.what for r in CareAccess.objects.filter(file=homeless)] == ["file"]


def test_a_childs_file_says_why_its_sections_are_withheld(care: CareCast) -> None:
    child = child_file(care)
    body = get(care.supervisor, detail(child.code)).json()
    assert body["minor"] is True and "未成年人信息" in body["withheld_reason"]
    assert get(care.county_supervisor, detail(child.code)).status_code == 404


def test_a_file_in_transfer_shows_where_it_goes_to_both_sides(care: CareCast) -> None:
    p = care.cast.places
    services.care_file_propose_transfer(
        by=care.worker, file=care.file, to_region=p.v2, reason="搬家"
    )
    for user in [care.worker, care.supervisor2]:
        body = get(user, detail(care.file.code)).json()
        assert body["in_transfer"] is True
        assert body["transfer"]["status"] == {"code": "pending", "name": "待接收"}
        assert body["transfer"]["to_region"] == {"code": p.v2.code, "name": "大龙潭村"}
        assert body["transfer"]["from_region"]["name"] == "右所社区"
    logged = CareAccess.objects.filter(via="api").values_list("user_id", flat=True)
    assert sorted(logged) == sorted([care.worker.pk, care.supervisor2.pk])
    # The receiving place's care worker answers the transfer, but does not read the file.
    assert get(care.worker2, detail(care.file.code)).status_code == 404


def test_outside_its_scope_a_file_does_not_exist_for_any_role(care: CareCast) -> None:
    other = v2_file(care)
    cast = care.cast
    readers_of_v1 = {care.worker.pk, care.supervisor.pk}
    strangers_to_v1 = [
        u
        for u in [*cast.by_role.values(), cast.outsider, care.worker2, care.supervisor2]
        if u.pk not in readers_of_v1
    ]
    assert {Role.INTAKE_OFFICER, Role.ADMINISTRATOR, Role.LEADER} <= {
        role for role, u in cast.by_role.items() if u in strangers_to_v1
    }
    nowhere = get(care.worker, detail("DA000000000")).json()
    for user in strangers_to_v1:
        response = get(user, detail(care.file.code), purpose="supervision")
        assert response.status_code == 404, user.username
        assert (
            response.json()
            == nowhere
            == {
                "code": "not_found",
                "message": "没有这份档案，或您无权查阅",
                "message_en": "Not found, or outside your scope.",
                "field": None,
                "errors": [],
            }
        )
    for role, user in cast.by_role.items():  # all of them work in township T1
        assert get(user, detail(other.code)).status_code == 404, role
    assert not CareAccess.objects.exists()


def test_an_emergency_grant_opens_the_file_through_the_api_and_is_flagged(
    care: CareCast,
) -> None:
    other = v2_file(care)
    assert get(care.supervisor, detail(other.code)).status_code == 404
    access.grant_emergency(care.supervisor, other, "当事人走失，需联系监护人")
    assert get(care.supervisor, detail(other.code)).status_code == 200
    row = CareAccess.objects.get(via="api")
    assert row.emergency is True and row.user_id == care.supervisor.pk


def test_reading_a_file_costs_a_bounded_number_of_queries(
    care: CareCast, django_assert_max_num_queries: Any
) -> None:
    f = care.file
    today = timezone.localdate()
    for i in range(5):
        services.care_file_record_visit(
            by=care.worker, file=f, visited_on=today, method="phone", seen=f"情况{i}"
        )
        services.care_file_add_plan_item(
            by=care.worker, file=f, need=f"需求{i}", measure="措施", who="社工"
        )
    client = client_for(care.worker)
    with django_assert_max_num_queries(14):
        response = client.get(detail(f.code), {"purpose": "visit"})
    assert len(response.json()["visits"]) == 5
    with CaptureQueriesContext(connection) as queries:
        client.get(detail(f.code))
    assert len(queries) <= 8, [q["sql"] for q in queries]


# --- Visits due -----------------------------------------------------------------------


def test_the_visits_due_are_the_workers_own(care: CareCast) -> None:
    f = care.file
    CareFile.objects.filter(pk=f.pk).update(next_visit_due=timezone.localdate() - timedelta(1))
    later = open_file(care.worker, care.cast.places.v1, person_name="钱某", identity_number="")
    CareFile.objects.filter(pk=later.pk).update(
        next_visit_due=timezone.localdate() + timedelta(days=30)
    )
    body = get(care.worker, "/api/care/visits/due").json()
    assert [(row["code"], row["overdue"]) for row in body] == [(f.code, True)]
    assert body[0]["identity_masked"] == f.identity_masked
    # A supervisor reads the file but is on no team: nothing is theirs to visit.
    assert get(care.supervisor, "/api/care/visits/due").json() == []
    assert get(care.worker2, "/api/care/visits/due").json() == []
    assert not CareAccess.objects.exists()
