"""Importing the case ledger as history: every error at once, all or nothing, never twice,
and the cases found and counted as they stood."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.analytics import selectors as figures
from zongzhi.analytics.indicators import counter_sums
from zongzhi.analytics.rollups import refresh_rollups
from zongzhi.cases import services
from zongzhi.cases.models import Assignment, Case, CaseEvent
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.selectors import search_q, visible_cases
from zongzhi.cases.tests.factories import case_in, new_case
from zongzhi.conftest import Cast
from zongzhi.ledgers.case_import import import_case_ledger
from zongzhi.ledgers.columns import C
from zongzhi.ledgers.exports import Register, export_ledger
from zongzhi.ledgers.imports import LedgerImportError
from zongzhi.ledgers.tests.factories import CASE_HEADERS, case_row, ledger_file

# `make test` runs this on SQLite too (-m sqlite): imports are all or nothing.
pytestmark = pytest.mark.sqlite

FILE = "2025年台账.xlsx"


def officer(cast: Cast):  # type: ignore[no-untyped-def]
    return cast.by_role[Role.INTAKE_OFFICER]


def cases_file(*rows: dict[str, object], headers: list[str] = CASE_HEADERS) -> bytes:
    return ledger_file(list(rows), headers=headers)


def errors_of(cast: Cast, content: bytes) -> list[str]:
    with pytest.raises(LedgerImportError) as failure:
        import_case_ledger(by=officer(cast), content=content, filename=FILE)
    return [str(e) for e in failure.value.errors]


def test_a_file_with_every_kind_of_error_reports_them_all_and_imports_nothing(
    cast: Cast,
) -> None:
    content = cases_file(
        case_row(),  # row 4: fine
        case_row(**{C.PLACE: "幸福村", C.TITLE: "地名不存在"}),  # 5
        case_row(**{C.REGISTERED: "2025-02-30", C.TITLE: "日期有误"}),  # 6
        case_row(**{C.CATEGORY: "家长里短", C.TITLE: "分类不存在"}),  # 7
        case_row(**{C.TITLE: None}),  # 8
        case_row(**{C.OUTCOME: None, C.TITLE: "办结无结果"}),  # 9
        case_row(**{C.PLACE: "大龙潭村", C.TITLE: "范围外"}),  # 10
        case_row(**{C.UNIT: "县信访局", C.TITLE: "单位不存在"}),  # 11
        case_row(**{C.CLOSED: date(2025, 3, 1), C.TITLE: "先办结后登记"}),  # 12
        case_row(),  # 13: the same as row 4
        case_row(
            **{
                C.TITLE: "一行多错",
                C.REGISTERED: "=DATE(2025,1,1)",
                C.CATEGORY: "邻里纠纷",
                C.PEOPLE: 0,
                C.STATUS: "不予受理",
            }
        ),  # 14
    )
    assert errors_of(cast, content) == [
        "第5行 I列（发生地）：找不到发生地“幸福村”（请填写平台中村（社区）或网格的名称，"
        "或填写区划代码）",
        "第6行 C列（登记日期）：“2025-02-30”不是有效日期（没有这一天）",
        "第7行 F列（二级分类）：没有名为“家长里短”的分类（可填写二级分类名称或分类代码）",
        "第8行 G列（事项标题）：必填，请填写事项标题",
        "第9行 R列（办结结果）：已办结的事项须填写办结结果"
        "（调解成功/部分达成/调解不成/依法处理/解释说明/不属实）",
        "第10行 I列（发生地）：发生地“大龙潭村”不在您的管理范围内",
        "第11行 N列（主办单位）：没有名为“县信访局”的单位（请先在平台中建立该单位，或将该格留空）",
        "第12行 Q列（办结日期）：办结日期早于登记日期",
        "第13行 G列（事项标题）：与第4行重复（发生地、标题、简要情况、分类、登记日期、"
        "当事人均相同）",
        "第14行 C列（登记日期）：是公式（=DATE(2025,1,1)），平台不计算公式，请填写值",
        "第14行 F列（二级分类）：“邻里纠纷”是一级分类，请填写其下的二级分类",
        "第14行 K列（涉及人数）：涉及人数至少为1",
        "第14行 O列（状态）：不予受理的事项不作为历史导入，请删除该行",
    ]
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_each_row_becomes_a_case_as_it_stood_with_one_history_entry(cast: Cast) -> None:
    content = cases_file(
        case_row(),  # archived, settled
        case_row(
            **{
                C.TITLE: "拖欠装修工钱",
                C.CATEGORY: "拖欠工资",
                C.STATUS: "办理中",
                C.CLOSED: None,
                C.OUTCOME: None,
                C.SATISFACTION: None,
            }
        ),
        case_row(
            **{
                C.TITLE: "相邻房屋漏水",
                C.STATUS: "待回访",
                C.OUTCOME: "双方达成协议，赔偿2000元",
                C.SATISFACTION: None,
            }
        ),
        case_row(**{C.TITLE: "噪声扰民", C.STATUS: "已回访", C.SATISFACTION: "基本满意"}),
        case_row(
            **{
                C.TITLE: "宅基地界址争议",
                C.CATEGORY: "宅基地界址",
                C.PLACE: "宁州街道右所社区第1网格",
                C.REGISTERED: "2025年6月1日 14:30",
                C.CLOSED: "2025/6/9",
                C.STATUS: None,
                C.OUTCOME: "解释说明",
                C.PARTIES: "赵六、钱七",
                C.UNIT: "右所社区调委会",
            }
        ),
    )
    result = import_case_ledger(by=officer(cast), content=content, filename=FILE)
    assert [item.row for item in result.created] == [4, 5, 6, 7, 8]
    cases = {c.title: c for c in Case.objects.all()}
    assert {c.title: c.status for c in cases.values()} == {
        "邻居占道堆放杂物": Status.ARCHIVED,
        "拖欠装修工钱": Status.REGISTERED,
        "相邻房屋漏水": Status.CLOSED,
        "噪声扰民": Status.VISITED,
        "宅基地界址争议": Status.ARCHIVED,
    }
    tz = timezone.get_current_timezone()
    settled = cases["邻居占道堆放杂物"]
    assert settled.channel == Case.Channel.LEDGER and settled.ledger_key
    assert settled.registered_at == datetime(2025, 3, 4, tzinfo=tz)
    assert settled.accepted_on == date(2025, 3, 4) and settled.closed_on == date(2025, 3, 20)
    assert settled.outcome == Case.Outcome.MEDIATED and settled.satisfaction == "satisfied"
    assert settled.region == cast.places.v1 and settled.address == "幸福小区3栋"
    assert settled.centre == cast.places.t1
    assert settled.lead_unit == cast.units.t1_station
    assert Assignment.objects.get(case=settled).kind == Assignment.Kind.LEAD
    assert [p.name for p in settled.parties.all()] == ["王五"]
    # Still owed: registered on its own date, waiting for the centre from today on.
    waiting = cases["拖欠装修工钱"]
    assert waiting.lead_unit is None and waiting.closed_on is None
    assert waiting.due_on is not None and waiting.due_on >= timezone.localdate()
    leaking = cases["相邻房屋漏水"]
    assert leaking.outcome == Case.Outcome.MEDIATED
    assert leaking.outcome_note == "双方达成协议，赔偿2000元"
    land = cases["宅基地界址争议"]
    assert land.region == cast.places.g1 and land.address == ""
    assert land.registered_at == datetime(2025, 6, 1, 14, 30, tzinfo=tz)
    assert land.lead_unit == cast.units.v1_committee
    assert [p.name for p in land.parties.all()] == ["赵六", "钱七"]

    events = list(CaseEvent.objects.order_by("case__registered_at"))
    assert len(events) == 5 and {e.step for e in events} == {Step.IMPORT}
    first = CaseEvent.objects.get(case=settled)
    assert first.step_name == "历史导入" and first.actor_name == officer(cast).full_name
    assert first.note == f"从“{FILE}”第4行导入（原台账来源渠道：来访；状态：已归档）"
    assert first.data == {"file": FILE, "row": 4, "channel": "来访", "status": "已归档",
                          "lead_unit": ""}  # fmt: skip
    assert "主办单位：宁州派出所" in CaseEvent.objects.get(case=waiting).note
    page = cast.client_for(officer(cast)).get(f"/cases/{settled.code}/")
    assert page.status_code == 200 and f"从“{FILE}”第4行导入" in page.content.decode()

    # Found by search, by words of the description and by a party's name.
    mine = visible_cases(officer(cast))
    assert list(mine.filter(search_q("共用通道堆放柴草")).order_by("pk")) == [
        settled,
        waiting,
        leaking,
        cases["噪声扰民"],
        land,
    ]
    assert list(mine.filter(search_q("钱七"))) == [land]

    # Imported again: nothing more.
    again = import_case_ledger(by=officer(cast), content=content, filename=FILE)
    assert again.created == [] and again.existing == 5
    assert Case.objects.count() == 5 and CaseEvent.objects.count() == 5


def test_imported_cases_count_in_the_figures_of_their_own_months(cast: Cast) -> None:
    content = cases_file(
        case_row(),
        case_row(**{C.TITLE: "噪声扰民", C.OUTCOME: "调解不成，已告知诉讼/仲裁途径"}),
        case_row(
            **{C.TITLE: "四月的事项", C.REGISTERED: date(2025, 4, 2), C.CLOSED: date(2025, 4, 9)}
        ),
    )
    import_case_ledger(by=officer(cast), content=content, filename=FILE)
    refresh_rollups()
    prefix = cast.places.t1.prefix
    march = counter_sums(prefix, date(2025, 3, 1), date(2025, 3, 31))
    assert (march["received"], march["closed"], march["resolved"]) == (2, 2, 1)
    assert counter_sums(prefix, date(2025, 4, 1), date(2025, 4, 30))["received"] == 1
    today = timezone.localdate()
    assert counter_sums(prefix, today.replace(day=1), today)["received"] == 0
    # Where the figures are broken down by channel, history stands apart.
    channels = figures.by_channel(prefix, date(2025, 1, 1), today)
    assert [(r["name"], r["received"]) for r in channels] == [("历史导入", 3)]


def test_an_exported_ledger_imports_back_as_it_stood(cast: Cast) -> None:
    import_case_ledger(by=officer(cast), content=cases_file(case_row()), filename=FILE)
    native = case_in(cast, Status.VISITED, amount=3000, address="幸福小区", people_count=3)
    exported = export_ledger(
        by=officer(cast),
        register=Register.CASES,
        region=cast.places.t1,
        start=date(2025, 1, 1),
        end=timezone.localdate(),
    )
    again = import_case_ledger(by=officer(cast), content=exported.content)
    assert again.created == [] and again.existing == 2  # by their 查询码

    # The same file on a platform that does not know the visited case yet (its code
    # changed here to stand for that): it comes in whole, under its code.
    Case.objects.filter(pk=native.pk).update(code="000000-XXXXXX")
    moved = import_case_ledger(by=officer(cast), content=exported.content)
    assert moved.existing == 1  # the imported case, by its content
    (item,) = moved.created
    copy = Case.objects.get(pk=item.case.pk)
    for name in ("code", "title", "description", "region", "address", "category", "amount"):
        assert getattr(copy, name) == getattr(native, name), name
    assert (copy.status, copy.outcome, copy.satisfaction) == (
        Status.VISITED,
        Case.Outcome.MEDIATED,
        Case.Satisfaction.SATISFIED,
    )
    assert copy.people_count == 3 and copy.lead_unit == native.lead_unit
    assert copy.closed_on == native.closed_on
    assert timezone.localdate(copy.registered_at) == timezone.localdate(native.registered_at)
    assert [p.name for p in copy.parties.all()] == ["张三"]  # the ledger keeps applicants


def test_a_hand_made_ledger_with_its_own_headers_imports(cast: Cast) -> None:
    headers = ["编号", "乡镇", "所在村", "事项名称", "基本情况", "纠纷类型", "受理时间"]
    headers += ["当事人", "联系电话", "承办单位", "化解结果", "办结时间", "备注"]
    content = ledger_file(
        [
            {
                "乡镇": "宁州街道",
                "所在村": "右所社区",
                "事项名称": "土地流转租金纠纷",
                "基本情况": "承包户拖欠两年流转租金。",
                "纠纷类型": "土地流转纠纷",
                "受理时间": "2025/7/8",
                "当事人": "孙八与周九",
                "联系电话": "139 0000 1234",
                "承办单位": "右所社区调委会",
                "化解结果": "已化解",
                "办结时间": "2025年7月15日",
                "备注": "不导入的列",
            },
            {
                "所在村": "宁州街道 右所社区第1网格 城南工地",
                "事项名称": "工地欠薪",
                "纠纷类型": "LZJF01",
                "受理时间": "2025-08-01 09:30",
                "当事人": "吴十",
            },
        ],
        headers=headers,
        title_rows=False,
    )
    result = import_case_ledger(by=officer(cast), content=content, filename="手工台账.xlsx")
    assert [item.row for item in result.created] == [2, 3]
    land, wages = (Case.objects.get(pk=item.case.pk) for item in result.created)
    assert land.region == cast.places.v1 and land.category.code == "SLTD03"
    assert land.status == Status.ARCHIVED and land.outcome == Case.Outcome.MEDIATED
    assert land.closed_on == date(2025, 7, 15)
    assert land.lead_unit == cast.units.v1_committee
    assert [(p.name, p.phone) for p in land.parties.all()] == [
        ("孙八", "139 0000 1234"),
        ("周九", ""),
    ]
    assert list(visible_cases(officer(cast)).filter(search_q("13900001234"))) == [land]
    assert wages.region == cast.places.g1 and wages.address == "城南工地"
    assert wages.status == Status.REGISTERED
    assert wages.description == "工地欠薪"  # no description: the title says it


def test_formulas_are_kept_as_text_never_evaluated(cast: Cast) -> None:
    content = cases_file(
        case_row(**{C.TITLE: "=1+2", C.DESCRIPTION: '=HYPERLINK("http://example.com","看")'})
    )
    import_case_ledger(by=officer(cast), content=content, filename=FILE)
    case = Case.objects.get()
    assert case.title == "=1+2"
    assert case.description == '=HYPERLINK("http://example.com","看")'


def test_only_the_centre_imports_history(cast: Cast, tmp_path) -> None:  # type: ignore[no-untyped-def]
    content = cases_file(case_row())
    for role in (Role.GRID_WORKER, Role.UNIT_HANDLER, Role.MEDIATOR, Role.LEADER):
        with pytest.raises(PermissionDenied):
            import_case_ledger(by=cast.by_role[role], content=content)
        client = cast.client_for(cast.by_role[role])
        assert client.get("/ledgers/import/cases/").status_code == 403
    assert Case.objects.count() == 0

    path = tmp_path / FILE
    path.write_bytes(content)
    with pytest.raises(CommandError, match="--user"):
        call_command("import_ledger", str(path), register="cases")
    grid_worker = cast.by_role[Role.GRID_WORKER].username
    with pytest.raises(CommandError, match="无权导入"):
        call_command("import_ledger", str(path), register="cases", user=grid_worker)
    out = StringIO()
    call_command(
        "import_ledger", str(path), register="cases", user=officer(cast).username, stdout=out
    )
    assert out.getvalue().strip() == "导入完成：新增1条，已存在0条"

    client = cast.client_for(officer(cast))
    assert "导入历史事项台账" in client.get("/ledgers/").content.decode()
    upload = SimpleUploadedFile(FILE, content, content_type="application/octet-stream")
    page = client.post("/ledgers/import/cases/", {"file": upload}).content.decode()
    assert "导入完成：新增0条，已存在1条" in page


def test_the_doors_do_not_take_the_history_channel(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        services.case_register(
            by=officer(cast),
            new=new_case(region=cast.places.g1, channel=Case.Channel.LEDGER),
        )
    assert "channel" in refused.value.message_dict
