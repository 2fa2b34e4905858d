"""The file pages as each role uses them: the list, enrolment, the file page with its
stated purpose and identity reveal, the access log, emergency access and its review."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zongzhi.accounts.rules import Role
from zongzhi.care import rules, services
from zongzhi.care.models import CareAccess, CareEmergencyAccess, CareFile
from zongzhi.care.tests.conftest import ADULT_ID, CHILD_ID, CareCast, open_file
from zongzhi.conftest import make_user
from zongzhi.core.services import actor_name

What = CareAccess.What


def client(care: CareCast, user: Any) -> Client:
    return care.cast.client_for(user)


def page(response: Any) -> str:
    return str(response.content.decode())


def rows_of(html: str) -> str:
    return html.split('data-testid="files"')[1].split("</ul>")[0]


def enrol_post(care: CareCast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "idempotency_key": "enrol-key-1",
        "programme": rules.COMMUNITY_CORRECTIONS.code,
        "person_name": "王五",
        "gender": "male",
        "identity_number": rules.with_check_digit("53042419850304111"),
        "birth_date": "",
        "phone": "13700000001",
        "region": str(care.cast.places.v1.pk),
        "address": "右所社区5组",
        "guardian_name": "",
        "guardian_relation": "",
        "guardian_phone": "",
        "enrolled_on": timezone.localdate().isoformat(),
        "expected_end_on": "",
        "programme_note": "缓刑二年",
        "level": "corrections:medium",
        "level_reasons": ["corrections:no_job"],
        "assessment_note": "",
    }
    data.update(overrides)
    return data


def accesses(file: CareFile, **filters: Any) -> list[CareAccess]:
    return list(CareAccess.objects.filter(file=file, **filters))


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_a_file_to_its_team_and_its_supervisors_only(care: CareCast) -> None:
    for user in [care.worker, care.supervisor, care.county_supervisor]:
        rows = rows_of(page(client(care, user).get("/care/")))
        assert care.file.code in rows, user.username
        assert "李建国" in rows and care.file.identity_masked in rows
    for user in [care.worker2, care.supervisor2]:
        rows = rows_of(page(client(care, user).get("/care/")))
        assert care.file.code not in rows and "李建国" not in rows, user.username
        assert "没有符合条件的档案" in rows
    assert client(care, care.cast.outsider).get("/care/").status_code == 403


def test_the_list_does_not_log_reads_and_never_shows_the_full_number(care: CareCast) -> None:
    html = page(client(care, care.supervisor).get("/care/"))
    assert ADULT_ID not in html
    assert not CareAccess.objects.exists()


def test_the_list_links_to_what_each_role_may_do(care: CareCast) -> None:
    worker = page(client(care, care.worker).get("/care/"))
    supervisor = page(client(care, care.supervisor).get("/care/"))
    for html in [worker, supervisor]:
        assert 'href="/care/visits/"' in html and 'href="/care/transfers/"' in html
        assert 'href="/care/new/"' in html
    for link in ['href="/care/emergency/"', 'href="/care/emergencies/"', 'href="/care/export/"']:
        assert link in supervisor and link not in worker


def test_the_list_filters_by_programme_overdue_search_and_closed(care: CareCast) -> None:
    p = care.cast.places
    child = open_file(
        care.worker,
        p.g1,
        programme=rules.LEFT_BEHIND_CHILDREN.code,
        person_name="张小明",
        identity_number=CHILD_ID,
        level="low",
        level_reasons=["cared_for"],
    )
    CareFile.objects.filter(pk=child.pk).update(next_visit_due=date(2020, 1, 1))
    c = client(care, care.worker)

    def codes(query: str) -> set[str]:
        rows = rows_of(page(c.get("/care/" + query)))
        return {f.code for f in [care.file, child] if f.code in rows}

    assert codes("") == {care.file.code, child.code}
    assert codes("?programme=left_behind_children") == {child.code}
    assert codes("?overdue=1") == {child.code}
    assert codes("?q=建国") == {care.file.code}
    assert codes(f"?q={child.code.lower()}") == {child.code}
    services.care_file_close(by=care.worker, file=care.file, reason="recovered")
    assert codes("") == {child.code}
    assert codes("?closed=1") == {care.file.code, child.code}
    overdue_row = rows_of(page(c.get("/care/?overdue=1")))
    assert "2020-01-01（已逾期）" in overdue_row and 'class="due overdue"' in overdue_row


def test_a_file_in_transfer_is_marked_on_both_sides(care: CareCast) -> None:
    services.care_file_propose_transfer(
        by=care.worker, file=care.file, to_region=care.cast.places.v2, reason="搬迁"
    )
    sending = rows_of(page(client(care, care.worker).get("/care/")))
    receiving = rows_of(page(client(care, care.supervisor2).get("/care/")))
    assert "转移中" in sending and "转入待接收" not in sending
    assert care.file.code in receiving and "转入待接收" in receiving


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_costs_the_same_queries_however_many_files(
    care: CareCast, count: int, django_assert_max_num_queries: Any
) -> None:
    p = care.cast.places
    for i in range(count):
        open_file(
            care.worker,
            [p.v1, p.g1][i % 2],
            identity_number=rules.with_check_digit(f"530424198001{i + 1:02d}321"),
            person_name=f"档案{i}",
        )
    c = client(care, care.supervisor)
    c.get("/care/")  # the session and the grants settle
    with django_assert_max_num_queries(9):
        html = page(c.get("/care/"))
    assert rows_of(html).count('class="case-row') == count + 1


# --- Enrolment --------------------------------------------------------------------------


def test_a_care_worker_enrols_a_person_and_lands_on_the_file(care: CareCast) -> None:
    c = client(care, care.worker)
    assert c.get("/care/new/").status_code == 200
    response = c.post("/care/new/", enrol_post(care))
    file = CareFile.objects.get(person_name="王五")
    assert response.status_code == 302 and response["Location"] == f"/care/{file.code}/"
    assert file.programme == "corrections" and file.level == "medium"
    assert list(file.team.values_list("user", "duty")) == [(care.worker.pk, "lead")]
    html = page(c.get(response["Location"]))
    assert f"已建档 {file.code}" in html


def test_sending_the_enrolment_twice_creates_one_file(care: CareCast) -> None:
    c = client(care, care.worker)
    first = c.post("/care/new/", enrol_post(care))
    second = c.post("/care/new/", enrol_post(care))
    assert CareFile.objects.filter(person_name="王五").count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"person_name": ""}, "person_name", "请填写姓名"),
        ({"programme": ""}, "programme", "请选择服务类别"),
        (
            {"identity_number": ADULT_ID[:17] + ("1" if ADULT_ID[17] != "1" else "2")},
            "identity_number",
            "身份证号码校验位不正确",
        ),
        ({"level": "mental_health:2"}, "level", "所选等级不属于该服务类别"),
        ({"level_reasons": []}, "level_reasons", "请至少选择一项评估依据"),
        (
            {
                "programme": "left_behind_children",
                "identity_number": "",
                "level": "left_behind_children:low",
                "level_reasons": ["left_behind_children:cared_for"],
            },
            "birth_date",
            "儿童类档案须填写出生日期",
        ),
        (
            {
                "programme": "mental_health",
                "level": "mental_health:2",
                "level_reasons": ["mental_health:relapse"],
            },
            "guardian_name",
            "须填写监护人",
        ),
        ({"expected_end_on": "2000-01-01"}, "expected_end_on", "预计结束日期须晚于纳入管理日期"),
    ],
)
def test_an_enrolment_with_errors_changes_nothing_and_names_the_field(
    care: CareCast, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = CareFile.objects.count()
    response = client(care, care.worker).post("/care/new/", enrol_post(care, **overrides))
    assert response.status_code == 400
    assert CareFile.objects.count() == before
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors


def test_a_rejected_enrolment_echoes_the_number_only_in_its_own_input(care: CareCast) -> None:
    # The person is already on file in this programme: the service refuses.
    data = enrol_post(
        care,
        programme="mental_health",
        identity_number=ADULT_ID,
        level="mental_health:2",
        level_reasons=["mental_health:relapse"],
        guardian_name="李芳",
    )
    html = page(client(care, care.worker).post("/care/new/", data))
    assert "此人已在本类别建档在管" in html
    assert html.count(ADULT_ID) == 1
    assert f'name="identity_number" value="{ADULT_ID}"' in html


def test_only_those_who_enrol_open_the_enrolment_form(care: CareCast) -> None:
    assert client(care, care.cast.outsider).get("/care/new/").status_code == 403


# --- The file page ----------------------------------------------------------------------


def test_every_view_of_the_file_page_is_logged(care: CareCast) -> None:
    c = client(care, care.worker)
    for _ in range(2):
        assert c.get(f"/care/{care.file.code}/").status_code == 200
    logged = accesses(care.file)
    assert [(a.what, a.via, a.user_id, a.emergency) for a in logged] == [
        ("file", "page", care.worker.pk, False)
    ] * 2


def test_a_file_outside_the_readers_scope_is_not_found(care: CareCast) -> None:
    for user in [care.worker2, care.supervisor2, care.cast.outsider]:
        c = client(care, user)
        for path in ["", "accesses/"]:
            assert c.get(f"/care/{care.file.code}/{path}").status_code == 404, user.username
        assert c.post(f"/care/{care.file.code}/purpose/", {"purpose": "visit"}).status_code == 404
    assert not CareAccess.objects.exists()


def test_the_file_page_shows_the_programme_rules_team_and_schedule(care: CareCast) -> None:
    html = page(client(care, care.worker).get(f"/care/{care.file.code}/"))
    assert "《中华人民共和国精神卫生法》" in html
    assert "2024 版" in html and "3级及以上患者每周随访一次" in html
    assert "2级（基本稳定）" in html
    team = html.split('data-testid="team"')[1].split("</ul>")[0]
    assert "包保责任人" in team and actor_name(care.worker) in team
    due = care.file.next_visit_due
    assert due is not None and f"{due:%Y-%m-%d}" in html
    assert "建档" in html  # the timeline


def test_sensitive_sections_open_only_after_a_stated_purpose(care: CareCast) -> None:
    services.care_file_record_visit(
        by=care.worker,
        file=care.file,
        visited_on=timezone.localdate(),
        method="home",
        seen="服药规律，情绪平稳",
    )
    services.care_file_add_plan_item(
        by=care.worker, file=care.file, need="按时服药", measure="每周核对药量", who="李芳"
    )
    c = client(care, care.worker)
    url = f"/care/{care.file.code}/"
    before = page(c.get(url))
    assert "服药规律，情绪平稳" not in before and "每周核对药量" not in before
    assert "近期病情波动或复发" not in before  # the assessment's reason
    assert 'action="/care/' + care.file.code + '/purpose/"' in before

    response = c.post(f"{url}purpose/", {"purpose": "visit", "purpose_note": "明日入户"})
    assert response.status_code == 302 and response["Location"] == url
    stated = accesses(care.file, what=What.SENSITIVE)
    assert [(a.purpose, a.purpose_note) for a in stated] == [("visit", "明日入户")]

    after = page(c.get(url))
    assert "服药规律，情绪平稳" in after and "每周核对药量" in after
    assert "近期病情波动或复发" in after
    assert f'action="/care/{care.file.code}/plan/' in after  # the plan item's done button
    # Another reader's stated purpose does not open the sections for the supervisor.
    assert "服药规律" not in page(client(care, care.supervisor).get(url))


def test_a_referral_needs_a_note_and_nothing_opens_without_it(care: CareCast) -> None:
    c = client(care, care.worker)
    response = c.post(f"/care/{care.file.code}/purpose/", {"purpose": "referral"})
    assert response.status_code == 400
    assert "向有关部门转介须写明接收单位和依据" in page(response)
    assert not accesses(care.file, what=What.SENSITIVE)
    assert 'data-testid="sensitive"' not in page(c.get(f"/care/{care.file.code}/"))


def test_an_ordinary_file_needs_no_purpose(care: CareCast) -> None:
    homeless = open_file(
        care.worker,
        care.cast.places.v1,
        programme=rules.HOMELESS_ASSISTANCE.code,
        identity_number="",
        guardian_name="",
        level="low",
        level_reasons=["sheltered"],
    )
    html = page(client(care, care.worker).get(f"/care/{homeless.code}/"))
    assert 'data-testid="sensitive"' in html and 'data-testid="purpose"' not in html


def test_keeping_links_follow_what_the_reader_may_do(care: CareCast) -> None:
    code = care.file.code
    lead = page(client(care, care.worker).get(f"/care/{code}/"))
    for path in ["visit", "assess", "plan", "assistance", "team", "close", "transfer"]:
        assert f'href="/care/{code}/{path}/"' in lead, path
    assert f'href="/care/{code}/accesses/"' not in lead
    supervisor = page(client(care, care.supervisor).get(f"/care/{code}/"))
    assert f'href="/care/{code}/accesses/"' in supervisor
    helper = make_user("v1_care2", Role.CARE_WORKER, region=care.cast.places.v1)
    services.care_file_add_member(
        by=care.worker, file=care.file, member=services.Member(duty="grid_worker", user=helper)
    )
    member = page(client(care, helper).get(f"/care/{code}/"))
    assert f'href="/care/{code}/visit/"' in member
    for path in ["team", "close", "transfer", "accesses"]:
        assert f'href="/care/{code}/{path}/"' not in member, path
    services.care_file_close(by=care.worker, file=care.file, reason="recovered")
    closed = page(client(care, care.worker).get(f"/care/{code}/"))
    assert f'href="/care/{code}/visit/"' not in closed
    assert "经诊断已康复，不再纳入管理" in closed


def test_the_file_page_costs_the_same_queries_however_much_it_holds(
    care: CareCast, django_assert_max_num_queries: Any
) -> None:
    c = client(care, care.supervisor)
    url = f"/care/{care.file.code}/"
    c.post(f"{url}purpose/", {"purpose": "supervision"})

    def load() -> str:
        with django_assert_max_num_queries(18):
            return page(c.get(url))

    load()
    today = timezone.localdate()
    for i in range(6):
        services.care_file_record_visit(
            by=care.worker, file=care.file, visited_on=today, method="phone", seen=f"情况{i}"
        )
        services.care_file_add_plan_item(
            by=care.worker, file=care.file, need=f"需求{i}", measure="m", who="w"
        )
        services.care_file_add_assistance(
            by=care.worker, file=care.file, kind="temporary", granted_on=today
        )
        services.care_file_assess(
            by=care.worker, file=care.file, level="1", reasons=["stable_treatment"]
        )
    html = load()
    assert "情况5" in html and "需求5" in html


def test_a_deidentified_file_says_so_and_names_nobody(care: CareCast) -> None:
    services.care_file_close(by=care.worker, file=care.file, reason="recovered")
    later = timezone.localdate() + timedelta(days=366 * 11)
    assert services.deidentify_expired(later) == 1
    html = page(client(care, care.supervisor).get(f"/care/{care.file.code}/"))
    assert 'data-testid="deidentified"' in html and 'data-testid="closed"' in html
    assert "李建国" not in html and care.file.identity_masked not in html
    assert 'data-testid="actions"' not in html and 'data-testid="reveal"' not in html


# --- The identity number ----------------------------------------------------------------


def test_the_full_number_never_reaches_a_care_workers_pages(care: CareCast) -> None:
    c = client(care, care.worker)
    code = care.file.code
    c.post(f"/care/{code}/purpose/", {"purpose": "visit"})
    for url in ["/care/", f"/care/{code}/", "/care/?q=" + care.file.person_name]:
        html = page(c.get(url))
        assert ADULT_ID not in html and care.file.identity_masked in html, url
    assert 'data-testid="reveal"' not in page(c.get(f"/care/{code}/"))
    refused = c.post(f"/care/{code}/identity/", {"reveal-purpose": "visit"})
    assert refused.status_code == 403 and ADULT_ID not in page(refused)
    assert not accesses(care.file, what=What.IDENTITY)


def test_a_supervisor_sees_the_full_number_once_after_stating_why(care: CareCast) -> None:
    c = client(care, care.supervisor)
    url = f"/care/{care.file.code}/"
    html = page(c.get(url))
    assert ADULT_ID not in html and 'data-testid="reveal"' in html

    missing = c.post(f"{url}identity/", {})
    assert missing.status_code == 400 and ADULT_ID not in page(missing)
    assert "请选择查阅目的" in page(missing)

    shown = c.post(
        f"{url}identity/", {"reveal-purpose": "supervision", "reveal-purpose_note": "核对"}
    )
    assert shown.status_code == 200
    assert page(shown).count(ADULT_ID) == 1
    assert "no-store" in shown["Cache-Control"]
    revealed = accesses(care.file, what=What.IDENTITY)
    assert [(a.user_id, a.purpose, a.purpose_note) for a in revealed] == [
        (care.supervisor.pk, "supervision", "核对")
    ]
    assert ADULT_ID not in page(c.get(url))  # the mask again
    assert ADULT_ID not in str(dict(c.session))


# --- Minors -----------------------------------------------------------------------------


def test_a_minors_file_is_read_by_the_township_supervisor_not_the_county(care: CareCast) -> None:
    child = open_file(
        care.worker,
        care.cast.places.v1,
        programme=rules.LEFT_BEHIND_CHILDREN.code,
        person_name="张小明",
        identity_number=CHILD_ID,
        level="medium",
        level_reasons=["out_of_school"],
    )
    county = client(care, care.county_supervisor)
    assert "张小明" not in rows_of(page(county.get("/care/")))
    assert county.get(f"/care/{child.code}/").status_code == 404
    township = client(care, care.supervisor)
    assert "张小明" in rows_of(page(township.get("/care/")))
    html = page(township.get(f"/care/{child.code}/"))
    assert "张小明" in html and CHILD_ID not in html and "未成年人信息" in html
    assert 'data-testid="purpose"' in html


# --- The access log ---------------------------------------------------------------------


def test_the_access_log_is_for_the_files_supervisors_and_is_not_itself_logged(
    care: CareCast,
) -> None:
    client(care, care.worker).get(f"/care/{care.file.code}/")
    url = f"/care/{care.file.code}/accesses/"
    assert client(care, care.worker).get(url).status_code == 403
    html = page(client(care, care.supervisor).get(url))
    assert actor_name(care.worker) in html
    assert "查阅档案" in html
    assert CareAccess.objects.count() == 1


# --- Emergency access -------------------------------------------------------------------


def test_an_emergency_read_is_granted_flagged_and_reviewed(care: CareCast) -> None:
    outside = client(care, care.supervisor2)
    assert outside.get(f"/care/{care.file.code}/").status_code == 404
    response = outside.post(
        "/care/emergency/", {"lookup": ADULT_ID, "reason": "本人走失，派出所请求协查监护人联系方式"}
    )
    assert response.status_code == 302 and response["Location"] == f"/care/{care.file.code}/"
    html = page(outside.get(response["Location"]))
    assert "李建国" in html and ADULT_ID not in html
    read = accesses(care.file, what=What.FILE).pop()
    assert read.user_id == care.supervisor2.pk and read.emergency
    assert accesses(care.file, what=What.EMERGENCY)[0].purpose == "emergency"

    assert 'data-emergency="' not in page(outside.get("/care/emergencies/"))  # not their own
    reviewer = client(care, care.supervisor)
    reviews = page(reviewer.get("/care/emergencies/"))
    grant = CareEmergencyAccess.objects.get()
    assert f'data-emergency="{grant.pk}"' in reviews and "派出所请求协查" in reviews

    empty = reviewer.post("/care/emergencies/", {"emergency": grant.pk, "note": ""})
    assert empty.status_code == 400 and "请填写复核意见" in page(empty)
    done = reviewer.post("/care/emergencies/", {"emergency": grant.pk, "note": "理由正当"})
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by_id == care.supervisor.pk and grant.review_note == "理由正当"
    assert f'data-emergency="{grant.pk}"' not in page(reviewer.get("/care/emergencies/"))


def test_an_emergency_lookup_that_finds_nothing_reveals_nothing(care: CareCast) -> None:
    unknown = rules.with_check_digit("53042419900101123")
    outside = client(care, care.supervisor2)
    for lookup in [unknown, "DA000000000"]:
        response = outside.post("/care/emergency/", {"lookup": lookup, "reason": "紧急"})
        html = page(response)
        assert response.status_code == 400 and "未找到档案" in html
        assert lookup not in html
    missing_reason = outside.post("/care/emergency/", {"lookup": ADULT_ID, "reason": ""})
    assert missing_reason.status_code == 400 and ADULT_ID not in page(missing_reason)
    assert "请写明紧急查阅的理由" in page(missing_reason)
    assert not CareEmergencyAccess.objects.exists() and not CareAccess.objects.exists()


def test_emergency_pages_are_for_supervisors_only(care: CareCast) -> None:
    c = client(care, care.worker)
    assert c.get("/care/emergency/").status_code == 403
    assert c.get("/care/emergencies/").status_code == 403
    assert c.post("/care/emergency/", {"lookup": care.file.code, "reason": "x"}).status_code == 403


def test_an_emergency_grant_expires(care: CareCast) -> None:
    outside = client(care, care.supervisor2)
    outside.post("/care/emergency/", {"lookup": care.file.code, "reason": "紧急"})
    CareEmergencyAccess.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert outside.get(f"/care/{care.file.code}/").status_code == 404


# --- On a phone -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_care_worker_enrols_a_child_on_a_phone(
    live_server: Any, phone_page: Any, care: CareCast
) -> None:
    from zongzhi.browser import ARTIFACTS, fits_the_phone, sign_in
    from zongzhi.conftest import PASSWORD

    page = phone_page
    base = live_server.url
    sign_in(page, base, care.worker.username, PASSWORD)
    page.goto(f"{base}/care/new/")
    page.get_by_label("服务类别").select_option("left_behind_children")
    # Only the chosen programme's reasons are offered.
    assert page.get_by_label("辍学或有辍学风险").is_visible()
    assert not page.get_by_label("近期病情波动或复发").is_visible()
    page.get_by_label("姓名").first.fill("张小明")
    page.get_by_label("身份证号码").fill(CHILD_ID)
    page.get_by_label("现居住地").select_option(str(care.cast.places.v1.pk))
    page.get_by_label("监护人", exact=True).fill("张奶奶")
    page.get_by_label("评估等级").select_option("left_behind_children:medium")
    page.get_by_label("辍学或有辍学风险").check()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "care-phone-enrol.png"), full_page=True)
    page.get_by_role("button", name="建档", exact=True).click()
    page.wait_for_url(f"{base}/care/DA*/")
    child = CareFile.objects.get(person_name="张小明")
    assert child.programme == "left_behind_children" and child.level == "medium"
    assert CHILD_ID not in page.content()
    page.locator("#id_purpose").select_option("visit")
    page.get_by_role("button", name="说明目的并查阅").click()
    page.wait_for_load_state()
    assert "评估依据：辍学或有辍学风险" in page.get_by_test_id("assessments").inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "care-phone-file.png"), full_page=True)
