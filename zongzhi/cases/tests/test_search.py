"""Finding a case on the work list and through `GET /api/cases/?q=`: by code, phone, name,
address, with filters and sorting, always inside the user's scope."""

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.cases import search, services
from zongzhi.cases.models import Case, Party
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.api_client import KeyClient
from zongzhi.cases.tests.factories import case_in, category, registered
from zongzhi.conftest import Cast

pytestmark = pytest.mark.sqlite

CASES = "/api/cases/"


def parties(name: str, phone: str = "") -> list[services.NewParty]:
    return [services.NewParty(role=Party.Role.APPLICANT, name=name, phone=phone)]


def listed(cast: Cast, user: Any = None, **params: str) -> list[str]:
    """The codes the work list (全部事项) shows `user` for these parameters, in order."""
    client = cast.client_for(user or cast.by_role[Role.INTAKE_OFFICER])
    response = client.get("/cases/", {"view": "all", **params})
    assert response.status_code == 200
    page = response.content.decode()
    codes = Case.objects.values_list("code", flat=True)
    return sorted((c for c in codes if c in page), key=page.index)


def api_found(user: Any, **params: str) -> list[str]:
    response = KeyClient(user).get(CASES, params)
    assert response.status_code == 200, response.content.decode()
    return [row["code"] for row in response.json()["items"]]


@pytest.fixture
def other(cast: Cast) -> Case:
    return registered(cast, title="土地边界争议", description="两户因田埂边界争执。")


def test_a_case_is_found_by_its_code_typed_without_the_dash_in_lower_case(
    cast: Cast, other: Case
) -> None:
    case = registered(cast)
    typed = case.code.replace("-", "").lower()
    assert listed(cast, q=typed) == [case.code]
    assert listed(cast, q=case.code.lower()) == [case.code]
    assert api_found(cast.by_role[Role.INTAKE_OFFICER], q=typed) == [case.code]


def test_a_case_is_found_by_a_partys_phone_typed_with_spaces_and_dashes(
    cast: Cast, other: Case
) -> None:
    case = registered(cast, parties=parties("周建华", "139-0871 2345"))
    assert Party.objects.get(case=case).phone_digits == "13908712345"
    for typed in ("139 0871 2345", "139-0871-2345", "13908712345", "(139) 0871.2345"):
        assert listed(cast, q=typed) == [case.code], typed
    # Part of a number (the last digits a resident reads out) is found in the text.
    assert listed(cast, q="2345") == [case.code]
    assert api_found(cast.by_role[Role.INTAKE_OFFICER], q="139 0871-2345") == [case.code]


def test_a_case_is_found_by_a_partys_name(cast: Cast, other: Case) -> None:
    case = registered(cast, parties=parties("欧阳春梅"))
    assert listed(cast, q="欧阳春梅") == [case.code]
    assert listed(cast, q="春梅") == [case.code]


def test_a_case_is_found_by_its_address_description_and_title(cast: Cast, other: Case) -> None:
    case = registered(cast, address="右所社区3组18号", description="楼上漏水渗到楼下厨房。")
    assert listed(cast, q="3组18号") == [case.code]
    assert listed(cast, q="漏水") == [case.code]
    assert listed(cast, q="占道") == [case.code]  # the factory's title
    assert listed(cast, q="田埂") == [other.code]


def test_latin_letters_are_found_whatever_their_case(cast: Cast, other: Case) -> None:
    case = registered(cast, title="ABC物业公司拖欠保洁工资")
    assert listed(cast, q="abc物业") == [case.code]


def test_nothing_found_says_so_with_the_query(cast: Cast, other: Case) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = client.get("/cases/", {"view": "all", "q": "不存在的词"}).content.decode()
    assert "没有找到与“不存在的词”相关的事项" in page
    assert "找到 0 件" in page
    found = client.get("/cases/", {"view": "all", "q": "田埂"}).content.decode()
    assert "找到 1 件与“田埂”相关的事项" in found


def test_the_search_never_reveals_a_case_outside_scope(cast: Cast) -> None:
    # A party whose name exists only in township T2's case.
    t2 = services.case_register(
        by=cast.outsider,
        new=services.NewCase(
            channel=Case.Channel.VISIT,
            category=category(),
            title="盘溪镇山林纠纷",
            description="两村山林权属争议。",
            region=cast.places.g2,
            address="大龙潭村1组",
            parties=parties("司马青云", "13712345678"),
        ),
    )
    registered(cast)
    t1_officer = cast.by_role[Role.INTAKE_OFFICER]
    for typed in ("司马青云", "13712345678", "137 1234 5678", t2.code.replace("-", ""), "山林"):
        assert listed(cast, t1_officer, q=typed) == [], typed
        assert api_found(t1_officer, q=typed) == [], typed
    # The officer of T2 finds it by the same words.
    assert listed(cast, cast.outsider, q="司马青云") == [t2.code]
    assert api_found(cast.outsider, q="137 1234 5678") == [t2.code]


def test_filters_narrow_the_list_and_keep_their_values(cast: Cast) -> None:
    phone_case = registered(cast, channel=Case.Channel.PHONE, risk_level=Case.Risk.MEDIUM)
    visit_case = registered(cast, title="家庭赡养纠纷", category=category("HYJT01"))
    dispatched = case_in(cast, Status.IN_PROGRESS)
    assert listed(cast, channel="phone") == [phone_case.code]
    assert listed(cast, risk="medium") == [phone_case.code]
    top = category("HYJT01").parent
    assert top is not None
    assert listed(cast, category=top.code) == [visit_case.code]
    assert listed(cast, unit=str(cast.units.t1_station.pk)) == [dispatched.code]
    today = timezone.localdate()
    assert len(listed(cast, registered_from=str(today), registered_to=str(today))) == 3
    assert listed(cast, registered_to=str(today - timedelta(days=1))) == []
    # The values stay in the form, and the pager and the URL carry them.
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = client.get("/cases/", {"view": "all", "channel": "phone", "q": "占道"}).content
    html = page.decode()
    assert '<option value="phone" selected>' in html
    assert 'value="占道"' in html
    assert '<details class="more-filters" open>' in html


def test_a_filter_that_does_not_parse_is_named_and_the_rest_still_apply(cast: Cast) -> None:
    registered(cast)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.get(
        "/cases/",
        {"view": "all", "registered_from": "2026-12-31", "registered_to": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "登记日期止不能早于登记日期起" in response.content.decode()
    assert len(listed(cast, registered_from="不是日期")) == 1


def test_the_list_sorts_by_registration_and_last_change_both_ways(cast: Cast) -> None:
    first, second, third = (registered(cast, title=f"第{n}件") for n in "一二三")
    now = timezone.now()
    for n, case in enumerate((first, second, third)):
        Case.objects.filter(pk=case.pk).update(
            registered_at=now - timedelta(days=3 - n), updated_at=now - timedelta(hours=n)
        )
    order = [first.code, second.code, third.code]
    assert listed(cast, sort="registered") == order
    assert listed(cast, sort="-registered") == order[::-1]
    assert listed(cast, sort="-updated") == order
    assert listed(cast, sort="updated") == order[::-1]
    user = cast.by_role[Role.INTAKE_OFFICER]
    assert api_found(user, sort="registered") == order
    assert api_found(user, sort="-updated") == order


def test_the_list_sorts_by_deadline_both_ways(cast: Cast) -> None:
    soon, late = registered(cast), registered(cast)
    today = timezone.localdate()
    Case.objects.filter(pk=soon.pk).update(due_on=today + timedelta(days=1))
    Case.objects.filter(pk=late.pk).update(due_on=today + timedelta(days=9))
    assert listed(cast, sort="due") == [soon.code, late.code]
    assert listed(cast, sort="-due") == [late.code, soon.code]


def test_the_apis_q_gives_the_same_answers_as_the_work_list(cast: Cast) -> None:
    a = registered(cast, parties=parties("上官明", "0877-5123456"), address="宁州街道新村")
    registered(cast, risk_level=Case.Risk.HIGH, risk_reasons="扬言上访")
    user = cast.by_role[Role.INTAKE_OFFICER]
    for typed in ("上官明", "0877 512 3456", "新村", a.code.replace("-", "").lower()):
        assert api_found(user, q=typed) == listed(cast, q=typed) == [a.code], typed
    assert len(api_found(user, risk="high")) == len(listed(cast, risk="high")) == 1


def test_a_merged_duplicates_parties_find_the_case_it_was_merged_into(cast: Cast) -> None:
    survivor = registered(cast)
    duplicate = registered(cast, parties=parties("诸葛文", "13655550000"))
    services.case_merge(by=cast.by_role[Role.INTAKE_OFFICER], case=duplicate, into=survivor)
    assert listed(cast, q="诸葛文") == [survivor.code]
    assert Party.objects.get(case=survivor, name="诸葛文").phone_digits == "13655550000"


@pytest.mark.parametrize("count", [2, 8])
def test_a_search_with_filters_costs_the_same_queries_however_many_cases(
    cast: Cast, count: int
) -> None:
    for _ in range(count):
        registered(cast, parties=parties("王五", "13900000000"))
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.get("/cases/")  # warm the session and the calendar
    params = {"view": "all", "q": "139 0000 0000", "channel": "visit", "sort": "-updated"}
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/", params)
    assert response.content.decode().count('class="case-row') == count
    # The work list's queries, and the phone's cases looked up first (selectors.search_q).
    assert len(queries) <= 12, [q["sql"] for q in queries]
    api = KeyClient(cast.by_role[Role.INTAKE_OFFICER])
    api.get(CASES)
    with CaptureQueriesContext(connection) as api_queries:
        assert api.get(CASES, {"q": "王五", "sort": "due"}).json()["count"] == count
    assert len(api_queries) <= 4  # the key, the grants, the count, the page
    with CaptureQueriesContext(connection) as api_queries:
        assert api.get(CASES, {"q": "139-0000-0000"}).json()["count"] == count
    assert len(api_queries) <= 5  # and the phone's cases


def test_the_search_rules_read_codes_and_phones_as_typed() -> None:
    assert search.code_of("261208wbz98z") == "261208-WBZ98Z"
    assert search.code_of(" 261208-WBZ98Z ") == "261208-WBZ98Z"
    assert search.code_of("2612081") is None
    assert search.phone_of("138 0013-8000") == "13800138000"
    assert search.phone_of("2345") is None  # too short to be a whole number
    assert search.phone_of("王五 138") is None
    text = search.search_text(
        code="261208-WBZ98Z",
        title="Title",
        description="两  行\n描述",
        address="",
        parties=[("王五", "138-0013-8000")],
    )
    assert text == "261208-wbz98z title 两 行 描述 王五 13800138000"


def test_a_corrected_title_and_a_party_added_later_find_the_case(cast: Cast, other: Case) -> None:
    case = registered(cast, title="邻居占道堆放杂物", parties=parties("张三"))
    intake = cast.by_role[Role.INTAKE_OFFICER]
    services.case_correct(by=intake, case=case, changes={"title": "楼道堆放装修垃圾"})
    party = services.case_add_party(
        by=intake,
        case=case,
        details=services.PartyDetails(
            role=Party.Role.RESPONDENT, name="欧阳修远", phone="139 0000 7777"
        ),
    )
    assert listed(cast, q="装修垃圾") == [case.code]
    assert listed(cast, q="占道") == []
    assert listed(cast, q="欧阳修远") == [case.code]
    assert listed(cast, q="13900007777") == [case.code]
    services.case_remove_party(by=intake, case=case, party=party, note="登记有误")
    assert listed(cast, q="欧阳修远") == []


# --- The migration that filled the search columns for the cases there were -------------


def test_the_migration_fills_the_search_columns_in_chunks_as_the_services_write_them(
    cast: Cast,
) -> None:
    from django.apps import apps

    migration = importlib.import_module("zongzhi.cases.migrations.0008_case_search_index")
    cases = [
        registered(
            cast,
            title=f"第{n}件　物业纠纷 Ａ栋",  # an ideographic space and full-width letters
            address=f"右所社区{n}组",
            parties=[
                services.NewParty(
                    role=Party.Role.APPLICANT, name=f"张{n}", phone=f"138 0000-{n:04d}"
                ),
                services.NewParty(role=Party.Role.RESPONDENT, name="李某", phone="（0877）５２１"),
                services.NewParty(role=Party.Role.OTHER, name=f"某公司{n}"),
            ],
        )
        for n in range(7)
    ]

    def emptied() -> None:
        Case.objects.update(search_text="")
        Party.objects.update(phone_digits="")

    # 7 cases with 21 parties, 14 of them with a phone: row by row that is 21 UPDATEs.
    # At the migration's chunk: a read and a write for the phones, a read of the cases,
    # their parties and a write, and each loop's read that finds no more.
    emptied()
    with CaptureQueriesContext(connection) as queries:
        migration.fill_search_columns(apps, connection)
    assert len(queries) == 7, [q["sql"] for q in queries]
    # In chunks of 3: 5 of phones and 3 of cases, the last reads finding none.
    emptied()
    with CaptureQueriesContext(connection) as queries:
        migration.fill_search_columns(apps, connection, chunk=3)
    assert len(queries) == 5 * 2 + 1 + 3 * 3 + 1, [q["sql"] for q in queries]

    for case in cases:
        case.refresh_from_db()
        expected = search.search_text(
            code=case.code,
            title=case.title,
            description=case.description,
            address=case.address,
            parties=list(case.parties.order_by("pk").values_list("name", "phone")),
        )
        assert case.search_text == expected
    for party in Party.objects.all():
        assert party.phone_digits == search.digits(party.phone)
    # What the services wrote at registration is what the migration writes.
    assert listed(cast, q="13800000003") == [cases[3].code]
