"""The audit log: each kind of entry written where it happens, never the password or a
party's name, append-only, pruned after ZONGZHI_AUDIT_DAYS, readable by administrators
only."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import issue_token, token_for_key
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.api_client import KeyClient
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import PASSWORD, Cast, make_user
from zongzhi.core import audit
from zongzhi.core.admin import AuditEntryAdmin
from zongzhi.core.models import AuditEntry

pytestmark = pytest.mark.django_db
Kind = AuditEntry.Kind


def entries(kind: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=kind))


@override_settings(ZONGZHI_PROXY_HOPS=1)
def test_sign_ins_and_failures_keep_the_username_and_address_never_the_password(
    cast: Cast,
) -> None:
    client = Client()
    forwarded = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    client.post("/accounts/login/", {"username": "t1_leader", "password": "wrong-1"}, **forwarded)
    client.post("/accounts/login/", {"username": "t1_leader", "password": PASSWORD}, **forwarded)
    [failed] = entries(Kind.SIGN_IN_FAILED)
    assert (failed.target, failed.address, failed.actor_id) == (
        "user:t1_leader",
        "203.0.113.7",
        None,
    )
    [signed_in] = entries(Kind.SIGN_IN)
    assert signed_in.actor_username == "t1_leader" and signed_in.address == "203.0.113.7"
    every_field = " ".join(str(v) for e in AuditEntry.objects.values() for v in e.values())
    assert "wrong-1" not in every_field and PASSWORD not in every_field


def test_exports_of_a_ledger_and_a_receipt_name_the_case_code_not_the_parties(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.REGISTERED)
    intake = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    assert intake.get(f"/cases/{case.code}/receipt.pdf").status_code == 200
    today = timezone.localdate().isoformat()
    ledger = intake.get(
        "/ledgers/",
        {"register": "cases", "region": cast.places.t1.pk, "start": today, "end": today},
    )
    assert ledger.status_code == 200 and ledger["Content-Disposition"].startswith("attachment")
    receipt, sheet = entries(Kind.EXPORT)[::-1]
    assert (receipt.target, receipt.detail) == (f"事项 {case.code}", "受理回执")
    assert sheet.target.startswith("台账 cases") and "1行" in sheet.detail
    names = {p.name for p in case.parties.all()}
    assert not any(n in f"{e.target}{e.detail}" for e in entries(Kind.EXPORT) for n in names)


def test_an_api_key_made_and_used_is_recorded_once_a_day(cast: Cast) -> None:
    user = cast.by_role[Role.CLIENT_SYSTEM]
    token, key = issue_token(by=SYSTEM, user=user, name="12345热线")
    [made] = entries(Kind.API_KEY_CREATED)
    assert made.target == f"接口密钥 {token.prefix}…" and "12345热线" in made.detail
    assert key not in f"{made.target}{made.detail}"
    token_for_key(key)
    token.refresh_from_db()
    token.last_used_at = timezone.now() - timedelta(minutes=5)  # later the same day
    token.save(update_fields=["last_used_at"])
    token_for_key(key)
    [used] = entries(Kind.API_KEY_USED)
    assert used.actor_username == user.username


def test_roles_given_and_taken_in_the_admin_are_recorded(cast: Cast) -> None:
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client = cast.client_for(admin)
    person = cast.outsider
    added = client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": person.pk, "role": Role.LEADER, "region": cast.places.t2.pk, "unit": ""},
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    grant = RoleAssignment.objects.get(user=person, role=Role.LEADER)
    client.post(f"/admin/accounts/roleassignment/{grant.pk}/delete/", {"post": "yes"})
    assert not RoleAssignment.objects.filter(pk=grant.pk).exists()
    [given] = entries(Kind.ROLE_GRANTED)
    [taken] = entries(Kind.ROLE_REVOKED)
    assert given.target == taken.target == "user:t2_intake"
    assert given.actor_username == "root" and "领导" in given.detail


def test_reading_parties_from_outside_the_cases_units_is_recorded_once_a_day(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)  # dispatched to T1's police station
    leader = cast.client_for(cast.by_role[Role.LEADER])
    for _ in range(2):
        assert leader.get(f"/cases/{case.code}/").status_code == 200
    handler = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    assert handler.get(f"/cases/{case.code}/").status_code == 200
    KeyClient(cast.by_role[Role.LEADER]).get(f"/api/cases/{case.code}")
    [read] = entries(Kind.PARTY_READ)
    assert (read.actor_username, read.target) == ("t1_leader", f"事项 {case.code}")


def test_entries_are_never_changed_and_only_old_ones_are_pruned(cast: Cast) -> None:
    entry = audit.record(cast.by_role[Role.LEADER], Kind.EXPORT, "台账 cases")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=400), action=Kind.SIGN_IN_FAILED, target="user:y"
    )
    with override_settings(ZONGZHI_AUDIT_DAYS=365):
        assert audit.prune() == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [entry.pk]
    model_admin = AuditEntryAdmin(AuditEntry, admin_site=None)  # type: ignore[arg-type]
    assert not model_admin.has_change_permission(None, entry)  # type: ignore[arg-type]
    assert not model_admin.has_delete_permission(None, entry)  # type: ignore[arg-type]


def test_only_the_countys_administrators_read_the_log_and_filter_it(cast: Cast) -> None:
    audit.record(cast.by_role[Role.LEADER], Kind.EXPORT, "台账 cases")
    audit.record(None, Kind.SIGN_IN_FAILED, "user:ghost")
    for role in (Role.LEADER, Role.INTAKE_OFFICER):
        reader = cast.client_for(cast.by_role[role])
        assert reader.get("/audit/").status_code == 403
        assert "/audit/" not in reader.get("/").content.decode()
    # The log is the whole deployment's (every sign-in, every read of parties): a
    # township's administrator does not read it, the county's does.
    township_admin = cast.client_for(cast.by_role[Role.ADMINISTRATOR])
    assert township_admin.get("/audit/").status_code == 403
    assert "/audit/" not in township_admin.get("/").content.decode()
    admin = cast.client_for(
        make_user("county_admin", Role.ADMINISTRATOR, region=cast.places.county)
    )
    assert 'href="/audit/"' in admin.get("/").content.decode()
    page = admin.get("/audit/", {"action": Kind.EXPORT}).content.decode()
    assert "台账 cases" in page and "user:ghost" not in page
    by_person = admin.get("/audit/", {"person": "t1_leader"}).content.decode()
    assert "台账 cases" in by_person and "user:ghost" not in by_person
