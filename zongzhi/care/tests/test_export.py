"""The care export: supervisors only, a stated purpose, the list of files (never their
contents), the identity numbers masked, and every exported file logged."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.care import exports, services
from zongzhi.care.exports import CARE_COLUMNS, H
from zongzhi.care.models import CareAccess, CareFile
from zongzhi.care.tests.conftest import ADULT_ID, CareCast, open_file
from zongzhi.care.tests.reading import (
    all_cell_text,
    child_file,
    client_for,
    data_rows,
    sheet_of,
    v2_file,
)
from zongzhi.ledgers import layout
from zongzhi.ledgers.reading import normalise_header

URL = reverse("care:export")
HEADERS = [normalise_header(c.label) for c in CARE_COLUMNS]


def post(user: Any, **data: Any) -> Any:
    values = {"purpose": "supervision", "purpose_note": ""}
    values.update(data)
    return client_for(user).post(URL, values)


def by_header(ws: Any) -> list[dict[str, Any]]:
    return [dict(zip(HEADERS, row, strict=True)) for row in data_rows(ws)]


# --- Who may export ---------------------------------------------------------------------


def test_only_care_supervisors_reach_the_export(care: CareCast) -> None:
    cast = care.cast
    refused = [
        *(u for role, u in cast.by_role.items() if role != Role.CARE_SUPERVISOR),
        cast.outsider,
        care.worker2,
    ]
    assert care.worker in refused  # the file's own lead: a care worker, not a supervisor
    for user in refused:
        client = client_for(user)
        assert client.get(URL).status_code == 403, user.username
        response = client.post(URL, {"region": cast.places.v1.pk, "purpose": "supervision"})
        assert response.status_code == 403, user.username
    assert not CareAccess.objects.exists()
    page = client_for(care.supervisor).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="care-export-form"' in html and "导出目的" in html
    assert "身份证号码一律脱敏" in html


def test_the_places_offered_are_those_the_supervisor_supervises(care: CareCast) -> None:
    p = care.cast.places
    assert list(exports.export_regions(care.supervisor)) == [p.t1, p.v1]
    assert list(exports.export_regions(care.supervisor2)) == [p.t2, p.v2]
    assert list(exports.export_regions(care.county_supervisor)) == [
        p.county,
        p.t1,
        p.v1,
        p.t2,
        p.v2,
    ]
    assert not exports.export_regions(care.worker).exists()
    response = post(care.supervisor, region=p.t2.pk)
    assert response.status_code == 200
    assert "只能导出您督导范围内的档案" in response.content.decode()
    with pytest.raises(PermissionDenied):
        exports.export_files(by=care.supervisor, region=p.v2, purpose="supervision")
    assert not CareAccess.objects.exists()


# --- The purpose ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purpose": ""}, "请选择导出目的"),
        ({"purpose": "curiosity"}, "请选择导出目的"),
        ({"purpose": "referral"}, "向有关部门转介须写明接收单位和依据"),
        ({"purpose": "referral", "purpose_note": "   "}, "向有关部门转介须写明接收单位和依据"),
    ],
)
def test_nothing_is_exported_without_a_purpose(
    care: CareCast, data: dict[str, str], message: str
) -> None:
    response = post(care.supervisor, region=care.cast.places.t1.pk, **data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not CareAccess.objects.exists()


def test_the_service_refuses_a_missing_purpose_too(care: CareCast) -> None:
    with pytest.raises(ValidationError) as refused:
        exports.export_files(by=care.supervisor, region=care.cast.places.t1, purpose="")
    assert refused.value.message_dict == {"purpose": ["请选择查阅目的"]}
    with pytest.raises(ValidationError) as refused:
        exports.export_files(by=care.supervisor, region=care.cast.places.t1, purpose="referral")
    assert refused.value.message_dict == {"purpose_note": ["向有关部门转介须写明接收单位和依据"]}
    assert not CareAccess.objects.exists()


# --- The workbook -----------------------------------------------------------------------


def test_the_export_is_a_ledger_of_the_files_with_masked_numbers(care: CareCast) -> None:
    p = care.cast.places
    today = timezone.localdate()
    f = care.file
    services.care_file_record_visit(
        by=care.worker, file=f, visited_on=today, method="home", seen="情绪稳定"
    )
    services.care_file_add_plan_item(
        by=care.worker, file=f, need="就医复查", measure="陪同就医", who="社工"
    )
    child = child_file(care)
    incoming = v2_file(care)
    services.care_file_propose_transfer(
        by=care.worker2, file=incoming, to_region=p.v1, reason="投靠亲属"
    )
    v2_file(care, person_name="孙某", identity_number="")  # in T2: not in T1's export

    response = post(care.supervisor, region=p.t1.pk, purpose="supervision")
    assert response.status_code == 200
    assert response["Content-Type"] == exports_content_type()
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    ws = sheet_of(response.content)

    assert ws.title == "特殊人群档案"
    assert ws["A1"].value == "华宁县宁州街道特殊人群服务管理台账"
    info = ws["A2"].value
    assert info.startswith("范围：华宁县宁州街道，全部类别")
    assert "目的：督导检查" in info and "共3条" in info and "身份证号码已脱敏" in info
    assert f"导出人：{care.supervisor.full_name}" in info
    assert [normalise_header(c.value) for c in ws[layout.HEADER_ROW]] == HEADERS
    assert ws.freeze_panes == "A4"

    rows = {r[H.NAME]: r for r in by_header(ws)}
    assert set(rows) == {"李建国", "王小明", "赵大海"}
    adult = rows["李建国"]
    assert adult[H.CODE] == f.code
    assert adult[H.IDENTITY] == f.identity_masked == ADULT_ID[:4] + "*" * 10 + ADULT_ID[-4:]
    assert adult[H.PROGRAMME] == "严重精神障碍患者服务管理"
    assert adult[H.LEVEL] == "2级（基本稳定）"
    assert adult[H.PLACE] == "右所社区" and adult[H.ADDRESS] == "右所社区3组12号"
    assert isinstance(adult[H.ENROLLED], datetime) and adult[H.ENROLLED].date() == today
    assert adult[H.LAST_VISIT].date() == today
    f.refresh_from_db()
    assert adult[H.NEXT_VISIT].date() == f.next_visit_due
    assert adult[H.LEAD] == care.worker.full_name
    assert adult[H.STATUS] == "在管"
    assert rows["王小明"][H.PROGRAMME] == "农村留守儿童关爱保护"
    assert rows["赵大海"][H.STATUS] == "转移待接收"
    assert rows["赵大海"][H.LEAD] == care.worker2.full_name
    assert sorted(r[H.NUMBER] for r in rows.values()) == [1, 2, 3]

    # The file's contents are not in it.
    text = all_cell_text(ws)
    for secret in ["情绪稳定", "就医复查", "陪同就医", "近期病情波动", "relapse", ADULT_ID]:
        assert secret not in text

    # One log row per exported file, with the purpose.
    logged = CareAccess.objects.all()
    assert {r.file_id for r in logged} == {f.pk, child.pk, incoming.pk}
    assert {(r.what, r.via, r.purpose, r.user_id) for r in logged} == {
        ("export", "export", "supervision", care.supervisor.pk)
    }


def exports_content_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_export_holds_only_what_the_exporter_reads(care: CareCast) -> None:
    child = child_file(care)
    other = v2_file(care)
    p = care.cast.places
    ws = sheet_of(post(care.county_supervisor, region=p.county.pk).content)
    codes = {r[H.CODE] for r in by_header(ws)}
    # A county supervisor reads the adults of both townships, never a child's file.
    assert codes == {care.file.code, other.code}
    assert child.code not in codes
    assert set(CareAccess.objects.values_list("file_id", flat=True)) == {care.file.pk, other.pk}


def test_programme_and_closed_files_narrow_or_widen_the_export(care: CareCast) -> None:
    child = child_file(care)
    closed = open_file(care.worker, care.cast.places.v1, person_name="周某", identity_number="")
    services.care_file_close(by=care.supervisor, file=closed, reason="death")
    t1 = care.cast.places.t1.pk

    ws = sheet_of(post(care.supervisor, region=t1, programme="left_behind_children").content)
    assert [r[H.CODE] for r in by_header(ws)] == [child.code]
    assert ws["A2"].value.startswith("范围：华宁县宁州街道，农村留守儿童关爱保护")

    ws = sheet_of(post(care.supervisor, region=t1).content)
    assert closed.code not in {r[H.CODE] for r in by_header(ws)}

    ws = sheet_of(post(care.supervisor, region=t1, include_closed="on").content)
    rows = {r[H.CODE]: r for r in by_header(ws)}
    assert rows[closed.code][H.STATUS] == "已结案（死亡）"
    assert rows[closed.code][H.NEXT_VISIT] is None
    assert "（含已结案）" in ws["A2"].value


def test_a_referral_export_keeps_its_note_in_the_log(care: CareCast) -> None:
    response = post(
        care.supervisor,
        region=care.cast.places.v1.pk,
        purpose="referral",
        purpose_note="县民政局，依《未成年人保护法》第二十二条",
    )
    assert response.status_code == 200
    row = CareAccess.objects.get()
    assert (row.purpose, row.purpose_note) == (
        "referral",
        "县民政局，依《未成年人保护法》第二十二条",
    )
    assert sheet_of(response.content)["A1"].value == "华宁县宁州街道右所社区特殊人群服务管理台账"


def test_an_overdue_file_says_so(care: CareCast) -> None:
    CareFile.objects.filter(pk=care.file.pk).update(
        next_visit_due=timezone.localdate() - timedelta(days=2)
    )
    ws = sheet_of(post(care.supervisor, region=care.cast.places.t1.pk).content)
    assert by_header(ws)[0][H.STATUS] == "走访逾期"


@pytest.mark.parametrize("count", [1, 10])
def test_the_export_costs_the_same_queries_however_many_files(
    care: CareCast, count: int, django_assert_max_num_queries: Any
) -> None:
    for i in range(count - 1):
        open_file(care.worker, care.cast.places.v1, person_name=f"人员{i}", identity_number="")
    client = client_for(care.supervisor)
    with django_assert_max_num_queries(12):
        response = client.post(URL, {"region": care.cast.places.t1.pk, "purpose": "statistics"})
    assert len(data_rows(sheet_of(response.content))) == count
    assert CareAccess.objects.count() == count


def test_the_filename_names_the_place_and_the_day(care: CareCast) -> None:
    export = exports.export_files(
        by=care.supervisor,
        region=care.cast.places.t1,
        purpose="statistics",
        now=timezone.make_aware(datetime(2026, 3, 5, 10, 30)),
    )
    assert export.filename == "华宁县宁州街道特殊人群服务管理台账（20260305）.xlsx"
    assert export.count == 1
    assert "导出时间：2026年3月5日 10:30" in sheet_of(export.content)["A2"].value
