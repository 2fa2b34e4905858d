"""Same-source detection at every door: the counter shows the likely repeats before saving
and attaches the report in one step; the other doors flag the new case 疑似重复 for the
centre's triage, in its timeline and the work list."""

from typing import Any

import pytest

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.api_client import KeyClient
from zongzhi.cases.tests.factories import category, registered
from zongzhi.cases.tests.test_views import intake_post
from zongzhi.conftest import Cast
from zongzhi.intake.measure import measure_duplicates
from zongzhi.portal.tests.conftest import submitted_case

pytestmark = pytest.mark.django_db

REPEAT = {
    "title": "邻居又把杂物堆在通道上",
    "description": "张三再次反映，邻居李四在共用通道上堆放杂物，出入不便，之前协商没有结果。",
}


def test_the_hand_written_set_meets_the_aims() -> None:
    result = measure_duplicates()
    assert result.recall >= 0.9, result.missed
    assert result.false_alarms <= 0.1, result.alarmed


def test_a_repeat_through_the_api_is_flagged_for_triage(cast: Cast) -> None:
    first = registered(cast)
    body: dict[str, Any] = {
        **REPEAT,
        "category": "LLJF01",
        "region": cast.places.g1.code,
        "channel": "hotline",
        "parties": [{"name": "张三", "phone": "13800000001"}],
    }
    made = KeyClient(cast.by_role[Role.INTAKE_OFFICER]).post("/api/cases/", body)
    assert made.status_code == 201, made.content
    case = Case.objects.get(code=made.json()["code"])
    entry = CaseEvent.objects.get(case=case, step=Step.REGISTER)
    assert entry.data["suspected_duplicates"][0]["code"] == first.code
    assert "相同电话" in entry.data["suspected_duplicates"][0]["reasons"]
    intake = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    listed = intake.get("/cases/", {"view": "all", "suspected_duplicate": "on"}).content.decode()
    assert case.code in listed and first.code not in listed and "疑似重复" in listed
    page = intake.get(f"/cases/{case.code}/").content.decode()
    assert f"疑似重复：{first.code}" in page


def test_a_repeat_through_the_portal_is_flagged_and_another_matter_is_not(cast: Cast) -> None:
    first = submitted_case(cast)
    again = submitted_case(
        cast,
        description="楼上邻居半夜装修敲打声很大，之前敲门沟通过没用，又来反映。",
        ip="10.0.0.7",
    )
    assert again.suspected_duplicate.of == first
    other = submitted_case(
        cast,
        description="村口路灯坏了半年，晚上看不见路。",
        phone="13911112222",
        name="赵敏",
        ip="10.0.0.8",
    )
    assert not hasattr(other, "suspected_duplicate")


def test_the_counter_shows_the_repeat_before_saving_and_attaches_it_in_one_step(
    cast: Cast,
) -> None:
    first = registered(cast)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    form = intake_post(cast, applicant_name="张三", applicant_phone="13800000001", **REPEAT)
    panel = client.post("/intake/check/", form).content.decode()
    assert first.code in panel and "并入此事项" in panel and "相同电话" in panel
    assert Case.objects.count() == 1  # looking saves nothing
    done = client.post("/cases/new/", {**form, "attach_to": first.code})
    assert done["Location"] == f"/cases/{first.code}/"
    report = Case.objects.exclude(pk=first.pk).get()
    assert report.status == Status.MERGED and report.merged_into == first
    assert {p.name for p in first.parties.all()} >= {"张三"}


def test_a_new_matter_registered_after_looking_is_not_flagged(cast: Cast) -> None:
    registered(cast)
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    form = intake_post(
        cast, applicant_name="张三", applicant_phone="13800000001", duplicates_checked="1", **REPEAT
    )
    client.post("/cases/new/", form)
    new = Case.objects.get(title=REPEAT["title"])
    assert not hasattr(new, "suspected_duplicate")
    assert new.category == category()
