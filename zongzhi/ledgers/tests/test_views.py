"""The ledger page as each role uses it: pick, download, upload."""

from datetime import timedelta
from io import BytesIO, StringIO
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast
from zongzhi.hazards.models import Hazard
from zongzhi.ledgers.columns import H
from zongzhi.ledgers.tests.factories import (
    HEADERS,
    LABELS,
    good_row,
    hazard,
    ledger_file,
    open_sheet,
)

TODAY = timezone.localdate


def upload(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_an_officer_picks_a_ledger_and_downloads_it(cast: Cast) -> None:
    hazard(cast, title="欠薪隐患")
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = client.get("/ledgers/").content.decode()
    assert "矛盾纠纷排查化解台账" in page and "风险隐患台账" in page and "排查报告台账" in page
    assert "宁州街道" in page and "盘溪镇" not in page  # only places they see
    assert "导入风险隐患台账" in page
    response = client.get(
        "/ledgers/",
        {
            "register": "hazards",
            "region": cast.places.t1.pk,
            "start": (TODAY() - timedelta(days=7)).isoformat(),
            "end": TODAY().isoformat(),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = unquote(response["Content-Disposition"])
    assert "华宁县宁州街道风险隐患台账" in disposition and disposition.endswith(".xlsx")
    ws = open_sheet(response.content)
    assert ws.cell(4, HEADERS.index(H.TITLE) + 1).value == "欠薪隐患"


def test_a_place_outside_the_users_scope_cannot_be_chosen(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.get(
        "/ledgers/",
        {
            "register": "hazards",
            "region": cast.places.t2.pk,
            "start": TODAY().isoformat(),
            "end": TODAY().isoformat(),
        },
    )
    assert response["Content-Type"].startswith("text/html")
    assert "选择一个有效的选项" in response.content.decode()


def test_a_backwards_period_is_refused_with_the_field_named(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.get(
        "/ledgers/",
        {
            "register": "cases",
            "region": cast.places.t1.pk,
            "start": TODAY().isoformat(),
            "end": (TODAY() - timedelta(days=1)).isoformat(),
        },
    )
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_a_leader_exports_but_does_not_import(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.LEADER])
    page = client.get("/ledgers/").content.decode()
    assert "风险隐患台账" in page and "导入风险隐患台账" not in page
    assert client.get("/ledgers/import/").status_code == 403
    assert client.get("/ledgers/import/template.xlsx").status_code == 403


def test_a_care_worker_has_no_ledgers(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.CARE_WORKER])
    assert client.get("/ledgers/").status_code == 403


def test_the_blank_template_has_the_ledger_headers_and_imports_as_nothing(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.get("/ledgers/import/template.xlsx")
    assert response.status_code == 200
    ws = open_sheet(response.content)
    assert [c.value for c in ws[3]] == LABELS
    assert ws["A4"].value == "示例"
    assert ws.parent["填写说明"]["A2"].value == H.NUMBER
    page = client.post("/ledgers/import/", {"file": upload(response.content)})
    assert "没有要导入的数据行" in page.content.decode()


def test_uploading_a_ledger_shows_what_was_imported(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    content = ledger_file([good_row(cast), good_row(cast, **{H.TITLE: "第二条"})])
    page = client.post("/ledgers/import/", {"file": upload(content)}).content.decode()
    assert "导入完成：新增2条，已存在0条" in page
    assert "第二条" in page
    assert Hazard.objects.count() == 2
    page = client.post("/ledgers/import/", {"file": upload(content)}).content.decode()
    assert "导入完成：新增0条，已存在2条" in page
    assert Hazard.objects.count() == 2


def test_uploading_a_bad_ledger_shows_every_error_by_row_and_column(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    content = ledger_file(
        [good_row(cast, **{H.LEVEL: "很高"}), good_row(cast, **{H.REGION_CODE: "123"})]
    )
    response = client.post("/ledgers/import/", {"file": upload(content)})
    page = response.content.decode()
    assert "导入失败：共2处错误，未导入任何数据" in page
    assert '<td class="num">4</td><td>K</td><td>风险等级</td>' in page
    assert "“很高”不是可选值（低/中/高/重大）" in page
    assert '<td class="num">5</td><td>F</td><td>所在地区划代码</td>' in page
    assert Hazard.objects.count() == 0


def test_uploading_something_else_says_what_is_wrong(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    page = client.post("/ledgers/import/", {"file": upload(b"x,y", "台账.xls")})
    assert "只能导入 .xlsx" in page.content.decode()


def test_the_page_takes_few_queries(cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    with django_assert_max_num_queries(8):
        assert client.get("/ledgers/").status_code == 200


def test_the_commands_export_and_import_as_the_system(cast: Cast, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hazard(cast, title="命令行导出的隐患")
    out = tmp_path / "hazards.xlsx"
    stdout = StringIO()
    call_command(
        "export_ledger",
        "--register=hazards",
        f"--region={cast.places.county.code}",
        f"--from={TODAY():%Y-%m-%d}",
        f"--to={TODAY():%Y-%m-%d}",
        f"--out={out}",
        stdout=stdout,
    )
    assert "已导出 1 条" in stdout.getvalue()
    assert open_sheet(out.read_bytes())["A1"].value == "华宁县风险隐患台账"

    call_command("import_ledger", str(out), stdout=stdout)
    assert "新增0条，已存在1条" in stdout.getvalue()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(ledger_file([good_row(cast, **{H.LEVEL: "很高"})]))
    stderr = StringIO()
    with pytest.raises(CommandError, match="共1处错误"):
        call_command("import_ledger", str(bad), stdout=stdout, stderr=stderr)
    assert "第4行 K列（风险等级）：“很高”不是可选值" in stderr.getvalue()


def test_the_templates_example_row_once_numbered_is_a_valid_row(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    ws = open_sheet(client.get("/ledgers/import/template.xlsx").content)
    ws["A4"] = 1
    buffer = BytesIO()
    ws.parent.save(buffer)
    page = client.post("/ledgers/import/", {"file": upload(buffer.getvalue())}).content.decode()
    assert "导入完成：新增1条" in page
    imported = Hazard.objects.get()
    assert imported.region == cast.places.v1
    assert imported.responsible_unit == cast.units.v1_committee
    assert imported.measures.count() == 1
