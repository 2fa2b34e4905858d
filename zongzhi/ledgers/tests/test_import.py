"""Importing a filled hazard ledger: every error at once, all or nothing, never twice."""

import zipfile
from datetime import date, timedelta
from io import BytesIO
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import Workbook

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast
from zongzhi.hazards import services as hazard_services
from zongzhi.hazards.models import Hazard, HazardEvent
from zongzhi.ledgers import reading
from zongzhi.ledgers.columns import H
from zongzhi.ledgers.exports import Register, export_ledger
from zongzhi.ledgers.imports import LedgerImportError, import_hazard_ledger
from zongzhi.ledgers.tests.factories import HEADERS, good_row, hazard, ledger_file

# `make test` runs this on SQLite too (-m sqlite): imports are all or nothing.
pytestmark = pytest.mark.sqlite

TODAY = timezone.localdate


def officer(cast: Cast):  # type: ignore[no-untyped-def]
    return cast.by_role[Role.INTAKE_OFFICER]


def errors_of(cast: Cast, content: bytes, by=None) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(LedgerImportError) as failure:
        import_hazard_ledger(by=by or officer(cast), content=content, filename="台账.xlsx")
    return [str(e) for e in failure.value.errors]


def test_a_file_with_every_kind_of_error_reports_them_all_and_imports_nothing(
    cast: Cast,
) -> None:
    tomorrow = TODAY() + timedelta(days=1)
    content = ledger_file(
        [
            good_row(cast),  # row 4: fine
            good_row(cast, **{H.DESCRIPTION: "", H.TITLE: "缺描述"}),  # 5
            good_row(cast, **{H.REGION_CODE: "530424999999", H.TITLE: "代码不存在"}),  # 6
            good_row(
                cast,
                **{
                    H.REGION_CODE: cast.places.v2.code,
                    H.UNIT: cast.units.t2_station.name,
                    H.TITLE: "范围外",
                },
            ),  # 7
            good_row(cast, **{H.DISCOVERED: "2026-02-30", H.TITLE: "日期有误"}),  # 8
            good_row(cast, **{H.DISCOVERED: tomorrow, H.TITLE: "未来日期"}),  # 9
            good_row(cast, **{H.LEVEL: "很高", H.TITLE: "等级有误"}),  # 10
            good_row(cast, **{H.AMOUNT: -500, H.TITLE: "负金额"}),  # 11
            good_row(cast),  # 12: the same as row 4
            good_row(
                cast,
                **{
                    H.TITLE: "一行多错",
                    H.GUARDIAN: None,
                    H.PEOPLE: 0,
                    H.CATEGORY: "劳资纠纷/欠薪",
                    H.UNIT: cast.units.v2_committee.name,
                    H.LEVEL: "重大",
                    H.STATUS: "已化解",
                },
            ),  # 13
        ]
    )
    assert errors_of(cast, content) == [
        "第5行 D列（隐患描述）：必填，请填写隐患描述",
        "第6行 F列（所在地区划代码）：区划代码“530424999999”不存在",
        f"第7行 F列（所在地区划代码）：区划代码“{cast.places.v2.code}”（大龙潭村）"
        "不在您的管理范围内",
        "第8行 Q列（发现日期）：“2026-02-30”不是有效日期（没有这一天）",
        "第9行 Q列（发现日期）：发现日期不能晚于今天",
        "第10行 K列（风险等级）：“很高”不是可选值（低/中/高/重大）",
        "第11行 J列（涉及金额（元））：涉及金额不能为负数",
        "第12行 C列（隐患名称）：与第4行重复（所在地、名称、类别、发现日期、责任单位均相同）",
        "第13行 E列（类别）：“劳资纠纷/欠薪”是一级分类，请填写其下的二级分类",
        "第13行 I列（涉及人数）：涉及人数至少为1",
        "第13行 L列（定级理由）：风险等级为高或重大时须写明定级理由",
        "第13行 M列（责任单位）：“大龙潭村调委会”不是所在地（右所社区）或其上级的单位",
        "第13行 N列（包保责任人）：必填，请填写包保责任人",
        "第13行 T列（状态）：新登记的隐患状态只能为“管控中”，不能为“已化解”",
    ]
    assert Hazard.objects.count() == 0
    assert HazardEvent.objects.count() == 0


def test_a_valid_file_registers_every_hazard_with_its_timeline_and_plan(cast: Cast) -> None:
    due = TODAY() + timedelta(days=20)
    content = ledger_file(
        [
            good_row(cast),
            good_row(
                cast,
                **{
                    H.TITLE: "企业欠薪",
                    H.CATEGORY: "LZJF01",
                    H.REGION_CODE: cast.places.g1.code,
                    H.LEVEL: "高",
                    H.LEVEL_REASONS: "涉及人数多",
                    H.AMOUNT: "1.2万",
                    H.DISCOVERED: "2026年1月8日",
                    H.MEASURES: f"1. 约谈企业（落实人：张三；时限：{due:%Y-%m-%d}）\n"
                    f"2、协调人社部门介入（时限：{due:%Y/%m/%d}；已落实）",
                    H.REVIEW_DAYS: 10,
                },
            ),
            good_row(cast, **{H.TITLE: "无日期的隐患", H.DISCOVERED: None, H.STATUS: None}),
        ],
        blank_between=True,
    )
    result = import_hazard_ledger(by=officer(cast), content=content, filename="台账.xlsx")

    assert [item.row for item in result.created] == [4, 6, 8]  # the rows the user sees
    assert result.existing == 0
    hazards = {h.title: h for h in Hazard.objects.all()}
    assert set(hazards) == {"物业公司与业主停车费纠纷", "企业欠薪", "无日期的隐患"}
    assert all(h.source == Hazard.Source.LEDGER and h.ledger_key for h in hazards.values())
    wages = hazards["企业欠薪"]
    assert wages.region == cast.places.g1
    assert wages.amount == 12000 and wages.level == "high"
    assert wages.discovered_on == date(2026, 1, 8)
    assert wages.review_every_days == 10
    measures = list(wages.measures.order_by("pk"))
    assert [(m.content, m.owner, m.due_on) for m in measures] == [
        ("约谈企业", "张三", due),
        ("协调人社部门介入", "李包保", due),  # no 落实人: the guardian
    ]
    assert measures[0].done_on is None and measures[1].done_on == TODAY()
    assert hazards["无日期的隐患"].discovered_on == TODAY()
    for h in hazards.values():
        first = h.events.first()
        assert first is not None and first.step == "register"
        assert first.data == {"source": "ledger"}
    assert [e.step for e in wages.events.all()] == ["register", "plan", "plan", "measure_done"]


def test_importing_the_same_file_again_adds_nothing(cast: Cast) -> None:
    content = ledger_file([good_row(cast), good_row(cast, **{H.TITLE: "第二条"})])
    first = import_hazard_ledger(by=officer(cast), content=content)
    again = import_hazard_ledger(by=officer(cast), content=content)
    assert len(first.created) == 2 and first.existing == 0
    assert len(again.created) == 0 and again.existing == 2
    assert Hazard.objects.count() == 2


def test_an_exported_ledger_imports_back_as_already_present(cast: Cast) -> None:
    hazard(cast, title="直接登记的隐患", amount=3000)
    kept = hazard(cast, title="已化解的隐患", level="high", level_reasons="人数多")
    hazard_services.hazard_resolve(by=officer(cast), hazard=kept, note="已化解")
    import_hazard_ledger(by=officer(cast), content=ledger_file([good_row(cast)]))
    exported = export_ledger(
        by=officer(cast),
        register=Register.HAZARDS,
        region=cast.places.t1,
        start=date(2026, 1, 1),
        end=TODAY(),
    )
    assert exported.count == 3
    result = import_hazard_ledger(by=officer(cast), content=exported.content)
    assert len(result.created) == 0 and result.existing == 3
    assert Hazard.objects.count() == 3


def test_a_row_carrying_an_unknown_or_foreign_code_is_refused(cast: Cast) -> None:
    theirs = hazard(
        cast,
        by=cast.outsider,
        region=cast.places.v2,
        responsible_unit=cast.units.t2_station,
    )
    content = ledger_file(
        [
            good_row(cast, **{H.CODE: "YH000000-XXXXX"}),
            good_row(cast, **{H.CODE: theirs.code}),
        ]
    )
    assert errors_of(cast, content) == [
        "第4行 B列（编号）：编号“YH000000-XXXXX”在平台中不存在；新登记的隐患请将编号留空",
        f"第5行 B列（编号）：编号“{theirs.code}”的隐患不在您的管理范围内",
    ]


def test_a_failure_while_writing_rolls_back_every_row(cast: Cast) -> None:
    real = hazard_services.hazard_register
    calls = []

    def second_fails(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError({"title": "写入时出错"})
        return real(**kwargs)

    content = ledger_file([good_row(cast), good_row(cast, **{H.TITLE: "第二条"})])
    with mock.patch.object(hazard_services, "hazard_register", side_effect=second_fails):
        assert errors_of(cast, content) == ["第5行：写入时出错"]
    assert Hazard.objects.count() == 0
    assert HazardEvent.objects.count() == 0


def test_the_header_is_found_without_title_rows_and_other_names_are_accepted(
    cast: Cast,
) -> None:
    headers = ["名称" if h == H.TITLE else "隐患类别" if h == H.CATEGORY else h for h in HEADERS]
    rows = [good_row(cast)]
    rows[0]["名称"] = rows[0].pop(H.TITLE)
    rows[0]["隐患类别"] = rows[0].pop(H.CATEGORY)
    content = ledger_file(rows, headers=headers, title_rows=False)
    result = import_hazard_ledger(by=SYSTEM, content=content)
    assert [item.row for item in result.created] == [2]


def test_a_file_missing_required_columns_names_them(cast: Cast) -> None:
    headers = [h for h in HEADERS if h not in {H.DESCRIPTION, H.GUARDIAN}]
    content = ledger_file([good_row(cast)], headers=headers)
    assert errors_of(cast, content) == ["第3行：表头缺少列：隐患描述、包保责任人"]


def test_files_that_are_not_ledgers_are_refused_with_a_clear_message(cast: Cast) -> None:
    def refused(content: bytes, filename: str = "台账.xlsx") -> str:
        with pytest.raises(LedgerImportError) as failure:
            import_hazard_ledger(by=officer(cast), content=content, filename=filename)
        (error,) = failure.value.errors
        return str(error)

    assert "只能导入 .xlsx" in refused(b"a,b\n", "台账.csv")
    assert "不是有效的 .xlsx 文件" in refused(b"not a zip at all")
    assert "已损坏" in refused(b"PK\x03\x04" + b"\x00" * 64)
    empty = Workbook()
    buffer = BytesIO()
    empty.save(buffer)
    assert "没有找到表头" in refused(buffer.getvalue())
    assert "超过5MB" in refused(b"PK" + b"\x00" * (reading.MAX_BYTES + 1))
    assert "没有要导入的数据行" in refused(ledger_file([]))


def test_a_file_over_the_row_limit_is_refused(cast: Cast, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    content = ledger_file([good_row(cast, **{H.TITLE: f"第{n}条"}) for n in range(4)])
    assert errors_of(cast, content) == ["数据超过3行，请分批导入"]


def test_only_the_centre_that_keeps_the_register_may_import(cast: Cast) -> None:
    # A grid worker registers hazards one by one, but does not bring ledgers in.
    for role in (Role.LEADER, Role.GRID_WORKER, Role.UNIT_HANDLER, Role.MEDIATOR):
        with pytest.raises(PermissionDenied):
            import_hazard_ledger(by=cast.by_role[role], content=ledger_file([good_row(cast)]))
    assert Hazard.objects.count() == 0
    client = cast.client_for(cast.by_role[Role.GRID_WORKER])
    assert client.get("/ledgers/import/").status_code == 403
    import_hazard_ledger(by=officer(cast), content=ledger_file([good_row(cast)]))
    assert Hazard.objects.count() == 1


def _with_shared_strings(text: str) -> bytes:
    """A small workbook whose shared-strings part, as Excel writes one, unpacks to `text`
    (a zip bomb made of one string)."""
    buffer = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(ledger_file([])), "r") as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for part in source.infolist():
            bomb.writestr(part, source.read(part))
        strings = f'<sst count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
        bomb.writestr("xl/sharedStrings.xml", strings)
    return buffer.getvalue()


def test_a_workbook_that_unpacks_to_far_more_than_a_ledger_is_refused_unread(
    cast: Cast,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(reading, "load_workbook", never)
    one_huge_string = _with_shared_strings("危" * (reading.MAX_SHARED_STRINGS // 3 + 1))
    assert len(one_huge_string) < 200 * 1024  # small on the wire
    assert errors_of(cast, one_huge_string) == [
        "表格中的文字解压后超过16MB，远超台账应有的大小，无法导入；"
        "请检查是否有异常长的单元格，或分批导入"
    ]
    monkeypatch.setattr(reading, "MAX_INFLATED", 4096)
    (error,) = errors_of(cast, ledger_file([good_row(cast)]))
    assert "文件解压后超过" in error
    assert Hazard.objects.count() == 0
