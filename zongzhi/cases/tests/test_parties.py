"""当事人 at any open stage: added, edited and removed as timeline steps, the identity number
encrypted at rest and shown masked, as the care registry keeps it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent, Party
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.conftest import Cast
from zongzhi.core import crypto
from zongzhi.core.errors import Refused
from zongzhi.core.identity import mask_identity, with_check_digit

NUMBER = with_check_digit("53042419800115123")


def respondent(**overrides: str) -> services.PartyDetails:
    values = {
        "role": Party.Role.RESPONDENT,
        "name": "孙七",
        "phone": "13800000003",
        "address": "右所社区5组2号",
        "identity_number": NUMBER,
    }
    values.update(overrides)
    return services.PartyDetails(**values)


def every_stored_text() -> str:
    """Everything the parties and the timeline hold, as the database stores it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_party")
        rows = list(cursor.fetchall())
        cursor.execute("SELECT data, note FROM cases_caseevent")
        rows += list(cursor.fetchall())
    return repr(rows)


def test_parties_are_added_edited_and_removed_as_timeline_steps(cast: Cast) -> None:
    case = case_in(cast, Status.ACCEPTED)
    intake = cast.by_role[Role.INTAKE_OFFICER]
    third = services.case_add_party(
        by=intake,
        case=case,
        details=services.PartyDetails(
            role=Party.Role.OTHER, kind=Party.Kind.ORGANISATION, name="某物业公司"
        ),
    )
    party = services.case_add_party(by=intake, case=case, details=respondent())
    assert case.parties.filter(role=Party.Role.RESPONDENT).count() == 2  # several of a role
    services.case_edit_party(
        by=intake, case=case, party=party, details=respondent(phone="13900000009")
    )
    services.case_remove_party(by=intake, case=case, party=third, note="误登记")
    events = list(CaseEvent.objects.filter(case=case, step=Step.CHANGE_PARTIES).order_by("pk"))
    assert [e.data["change"] for e in events] == ["add", "add", "edit", "remove"]
    assert events[1].data["name"] == "孙七" and events[1].data["identity_number"] is True
    assert events[2].data["changes"] == [
        {"field": "phone", "before": "13800000003", "after": "13900000009"}
    ]
    assert events[2].data["identity_number"] is False  # the same number, typed again
    assert events[3].note == "误登记" and events[3].data["name"] == "某物业公司"
    assert not Party.objects.filter(pk=third.pk).exists()


def test_the_identity_number_is_never_in_clear_text_in_the_database_or_on_the_page(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    handler = cast.by_role[Role.UNIT_HANDLER]
    party = services.case_add_party(by=handler, case=case, details=respondent())
    party.refresh_from_db()
    assert crypto.decrypt(party.identity_encrypted) == NUMBER
    assert party.identity_masked == mask_identity(NUMBER) == NUMBER[:4] + "*" * 10 + NUMBER[-4:]
    assert NUMBER not in every_stored_text()
    for user in (handler, cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.LEADER]):
        page = cast.client_for(user).get(f"/cases/{case.code}/").content.decode()
        assert party.identity_masked in page
        assert NUMBER not in page
    # Editing without the number keeps the one on file.
    services.case_edit_party(
        by=handler, case=case, party=party, details=respondent(identity_number="", name="孙小七")
    )
    party.refresh_from_db()
    assert crypto.decrypt(party.identity_encrypted) == NUMBER


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("5304241980011512", "应为18位"),
        (NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1"), "校验位"),
        ("53042419801315123X", "出生日期"),
    ],
)
def test_a_wrong_identity_number_is_refused_naming_the_field(
    cast: Cast, number: str, words: str
) -> None:
    case = case_in(cast, Status.REGISTERED)
    with pytest.raises(ValidationError) as error:
        services.case_add_party(
            by=cast.by_role[Role.INTAKE_OFFICER],
            case=case,
            details=respondent(identity_number=number),
        )
    assert words in error.value.message_dict["identity_number"][0]
    assert case.parties.count() == 2
    assert not CaseEvent.objects.filter(case=case, step=Step.CHANGE_PARTIES).exists()


def test_who_may_change_the_parties_follows_who_may_correct_the_facts(cast: Cast) -> None:
    intake, handler = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.UNIT_HANDLER]
    before = case_in(cast, Status.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.case_add_party(by=handler, case=before, details=respondent())
    with_unit = case_in(cast, Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.case_add_party(by=intake, case=with_unit, details=respondent())
    with pytest.raises(PermissionDenied):
        services.case_add_party(by=cast.outsider, case=with_unit, details=respondent())
    closed = case_in(cast, Status.CLOSED)
    with pytest.raises(Refused):
        services.case_add_party(by=handler, case=closed, details=respondent())
    services.case_add_party(by=handler, case=with_unit, details=respondent())
    assert CaseEvent.objects.filter(case=with_unit, step=Step.CHANGE_PARTIES_AT_UNIT).exists()


def test_the_last_party_is_not_removed_and_another_cases_party_is_not_touched(
    cast: Cast,
) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    case = case_in(cast, Status.REGISTERED)
    other = case_in(cast, Status.REGISTERED)
    first, second = case.parties.all()
    services.case_remove_party(by=intake, case=case, party=second)
    with pytest.raises(ValidationError, match="至少保留一名当事人"):
        services.case_remove_party(by=intake, case=case, party=first)
    with pytest.raises(ValidationError, match="没有这名当事人"):
        services.case_remove_party(by=intake, case=case, party=other.parties.first())  # type: ignore[arg-type]
    assert other.parties.count() == 2


def test_parties_are_added_edited_and_removed_from_the_case_page(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert 'data-step="add_party"' in page and 'data-step="edit_party"' in page
    fields = {
        "role": "respondent",
        "kind": "person",
        "name": "孙七",
        "phone": "",
        "address": "右所社区5组",
    }
    bad = client.post(f"/cases/{case.code}/do/add_party/", {**fields, "identity_number": "123"})
    assert bad.status_code == 400
    assert "身份证号码应为18位" in bad.content.decode()
    response = client.post(
        f"/cases/{case.code}/do/add_party/", {**fields, "identity_number": NUMBER}
    )
    assert response.status_code == 302
    party = case.parties.get(name="孙七")
    response = client.post(
        f"/cases/{case.code}/do/edit_party/",
        {**fields, "party": str(party.pk), "name": "孙小七", "identity_number": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "修改：孙小七" in page and "姓名/名称：孙七 → 孙小七" in page
    assert party.identity_masked in page or mask_identity(NUMBER) in page
    assert NUMBER not in page
    response = client.post(f"/cases/{case.code}/do/remove_party/", {"party": str(party.pk)})
    assert response.status_code == 302
    assert not case.parties.filter(pk=party.pk).exists()


@pytest.mark.parametrize("parties", [0, 6])
def test_the_case_page_costs_the_same_queries_however_many_parties(
    cast: Cast, parties: int
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    handler = cast.by_role[Role.UNIT_HANDLER]
    for i in range(parties):
        services.case_add_party(by=handler, case=case, details=respondent(name=f"当事人{i}"))
    services.case_correct(by=handler, case=case, changes={"people_count": 9})
    client = cast.client_for(handler)
    client.get(f"/cases/{case.code}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{case.code}/")
    assert response.status_code == 200
    assert response.content.decode().count('data-step="remove_party"') == parties + 2
    assert len(queries) <= 19, [q["sql"] for q in queries]


def test_a_case_registered_with_one_party_gets_an_agreement_once_the_other_is_added(
    cast: Cast,
) -> None:
    from django.utils import timezone

    from zongzhi.cases import documents
    from zongzhi.cases.tests.test_documents import docx_text

    intake, mediator = cast.by_role[Role.INTAKE_OFFICER], cast.by_role[Role.MEDIATOR]
    alone = [services.NewParty(role=Party.Role.APPLICANT, name="张三", address="右所社区3组")]
    case = case_in(cast, Status.IN_PROGRESS, parties=alone, channel=Case.Channel.ONLINE)
    services.case_transfer(by=intake, case=case, lead_unit=cast.units.v1_committee, note="调解")
    services.case_start(by=mediator, case=case)
    values = {
        "facts": "李四在共用通道堆放杂物。",
        "terms": "李四三日内清理杂物。",
        "performance": "自行清理。",
        "mediators": "王五",
        "made_on": timezone.localdate(),
    }
    with pytest.raises(ValidationError, match="至少两方当事人"):
        services.case_make_agreement(by=mediator, case=case, **values)  # type: ignore[arg-type]
    services.case_add_party(by=mediator, case=case, details=respondent(name="李四"))
    agreement = services.case_make_agreement(by=mediator, case=case, **values)  # type: ignore[arg-type]
    text = docx_text(documents.agreement_docx(agreement))
    assert "当事人（被申请人）：李四，身份证号码：" + mask_identity(NUMBER) in text
    assert "住址：右所社区5组2号" in text and "住址：右所社区3组" in text
    assert NUMBER not in text
    html = documents.agreement_html(agreement)
    assert mask_identity(NUMBER) in html and NUMBER not in html


def test_a_merged_duplicates_party_keeps_its_identity_number(cast: Cast) -> None:
    intake = cast.by_role[Role.INTAKE_OFFICER]
    kept = registered(cast, title="通道被堵")
    duplicate = registered(cast, title="通道被堵（重复）")
    services.case_add_party(by=intake, case=duplicate, details=respondent(name="周八"))
    services.case_merge(by=intake, case=duplicate, into=kept)

    moved = kept.parties.get(name="周八")
    assert moved.identity_masked == Party.objects.get(case=duplicate, name="周八").identity_masked
    assert moved.identity_masked.endswith(NUMBER[-4:])
    assert crypto.decrypt(moved.identity_encrypted) == NUMBER
