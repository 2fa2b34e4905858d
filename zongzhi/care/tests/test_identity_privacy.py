"""Identity numbers: stored encrypted, shown masked, and the full number nowhere else —
not in the database in plain text, not in the API for anyone, not in exports, not in the
logs (the SQL log included), and not in the pages of a care worker. The encryption keys
can be rotated without losing a file or its blind index."""

import logging
import zipfile
from io import BytesIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zongzhi.accounts.models import User
from zongzhi.care import access, exports, rules, services
from zongzhi.care.models import CareAccess, CareFile
from zongzhi.care.services import Member
from zongzhi.care.tests.conftest import ADULT_ID, CHILD_ID, CareCast, new_file, open_file
from zongzhi.care.tests.reading import V2_ID, child_file, client_for, v2_file
from zongzhi.core import crypto

# `make test` runs this on SQLite too (-m sqlite): what the database itself holds is read back raw.
pytestmark = pytest.mark.sqlite

NUMBERS = [ADULT_ID, CHILD_ID, V2_ID]


def _birth_strings(number: str) -> list[str]:
    born = rules.birth_date_of(number)
    assert born is not None
    return [born.isoformat(), f"{born:%Y%m%d}"]


BIRTHS = [s for n in NUMBERS for s in _birth_strings(n)]


def assert_no_number(text: str, where: str, *, births: bool = False) -> None:
    for number in NUMBERS:
        assert number not in text, f"{number} in {where}"
        assert number.lower() not in text.lower(), f"{number} in {where}"
    if births:
        for birth in BIRTHS:
            assert birth not in text, f"{birth} in {where}"


def everyone(care: CareCast) -> list[User]:
    cast = care.cast
    superuser = User.objects.create_superuser(username="root", password="x-Root-2026")
    return [
        *cast.by_role.values(),
        cast.outsider,
        care.worker2,
        care.supervisor2,
        care.county_supervisor,
        superuser,
    ]


def busy_registry(care: CareCast) -> dict[str, CareFile]:
    """Three people with identity numbers, and most things that happen to a file."""
    p = care.cast.places
    today = timezone.localdate()
    adult, child, other = care.file, child_file(care), v2_file(care)
    services.care_file_record_visit(
        by=care.worker, file=adult, visited_on=today, method="home", seen="好"
    )
    services.care_file_add_plan_item(
        by=care.worker, file=adult, need="复诊", measure="陪同", who="社工"
    )
    services.care_file_assess(by=care.supervisor, file=adult, level="3", reasons=["relapse"])
    services.care_file_add_assistance(
        by=care.worker, file=child, kind="temporary", granted_on=today
    )
    transfer = services.care_file_propose_transfer(
        by=care.worker2, file=other, to_region=p.v1, reason="搬"
    )
    services.care_file_decline_transfer(by=care.worker, transfer=transfer, reason="未在本村居住")
    found = access.find_for_emergency(care.supervisor, other.code)
    assert found == other
    access.grant_emergency(care.supervisor, other, "当事人走失")
    access.reveal_identity(care.supervisor, adult, access.Via.PAGE, purpose="supervision")
    with pytest.raises(ValidationError):  # the same person, enrolled twice
        services.care_file_register(
            by=care.worker, new=new_file(p.v1, team=[Member("lead", care.worker)])
        )
    return {"adult": adult, "child": child, "v2": other}


def read_everything(care: CareCast, files: dict[str, CareFile]) -> list[tuple[str, str]]:
    """Every read path, as its readers use it: (where, what came back)."""
    seen = []
    for user in [care.worker, care.supervisor, care.supervisor2, care.county_supervisor]:
        client = client_for(user)
        seen.append(("api list", client.get("/api/care/files", {"include_closed": "true"})))
        seen.append(("api due", client.get("/api/care/visits/due")))
        for f in files.values():
            url = f"/api/care/files/{f.code}"
            seen.append(("api detail", client.get(url)))
            seen.append(("api detail+purpose", client.get(url, {"purpose": "supervision"})))
    exporter = client_for(care.supervisor)
    seen.append(
        (
            "export",
            exporter.post(
                reverse("care:export"),
                {"region": care.cast.places.t1.pk, "purpose": "statistics", "include_closed": "on"},
            ),
        )
    )
    return [(where, response.content.decode("utf-8", "replace")) for where, response in seen]


# --- (a) The database -------------------------------------------------------------------


def _dump_tables() -> dict[str, str]:
    """Every value of every row of every table, as text."""
    dumped = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dumped[table] = "\n".join(
                " ".join(str(bytes(v) if isinstance(v, memoryview) else v) for v in row)
                for row in cursor.fetchall()
            )
    return dumped


def test_the_database_never_holds_a_number_or_a_birth_date_in_plain_text(
    care: CareCast,
) -> None:
    files = busy_registry(care)
    for user in [care.worker, care.supervisor]:
        client_for(user).get(reverse("care:detail", args=[files["adult"].code]))
    read_everything(care, files)
    dumped = _dump_tables()
    care_tables = [t for t in dumped if t.startswith("care_")]
    assert {"care_carefile", "care_caretransfer", "care_careaccess", "care_careevent"} <= set(
        care_tables
    )
    assert len(care_tables) >= 10
    for table, text in dumped.items():
        assert_no_number(text, table, births=table.startswith("care_"))
    for session in Session.objects.all():
        assert_no_number(str(session.get_decoded()), "a session")
    # What is stored instead: the cipher text, the blind index and the mask.
    stored = dumped["care_carefile"]
    for f in files.values():
        f.refresh_from_db()
        assert f.identity_encrypted in stored and f.identity_index in stored
        assert f.identity_masked in stored
        assert f.full_identity() in NUMBERS
    assert files["child"].birth_date() == rules.birth_date_of(CHILD_ID)
    assert CareAccess.objects.filter(what="identity").count() == 1


# --- (b) The API, (c) the exports ---------------------------------------------------------


def test_the_api_never_returns_a_number_to_anyone(care: CareCast) -> None:
    files = busy_registry(care)
    for user in everyone(care):
        client = client_for(user)
        for url, params in [
            ("/api/care/files", {"include_closed": "true"}),
            ("/api/care/visits/due", {}),
            *((f"/api/care/files/{f.code}", {}) for f in files.values()),
            *((f"/api/care/files/{f.code}", {"purpose": "supervision"}) for f in files.values()),
            *((f"/api/care/files/{f.code}", {"purpose": "referral"}) for f in files.values()),
        ]:
            response = client.get(url, params)
            assert_no_number(response.content.decode(), f"{url} for {user}", births=True)
    # The API's document is one for everybody (and costs half a second to build): once.
    document = client_for(care.supervisor).get("/api/openapi.json")
    assert document.status_code == 200
    assert_no_number(document.content.decode(), "/api/openapi.json", births=True)
    # Not an empty check: the superuser and the supervisors read the files, masked.
    body = client_for(care.supervisor).get(f"/api/care/files/{files['adult'].code}").json()
    assert body["identity_masked"] == ADULT_ID[:4] + "*" * 10 + ADULT_ID[-4:]
    assert "identity" not in body and "identity_number" not in body


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def test_exports_carry_the_mask_only_for_every_exporter(care: CareCast) -> None:
    files = busy_registry(care)
    p = care.cast.places
    seen_masks = set()
    for user, region in [
        (care.supervisor, p.t1),
        (care.supervisor, p.v1),
        (care.supervisor2, p.t2),
        (care.county_supervisor, p.county),
    ]:
        for purpose, note in [("statistics", ""), ("referral", "县民政局")]:
            export = exports.export_files(
                by=user, region=region, purpose=purpose, purpose_note=note, include_closed=True
            )
            text = _xlsx_text(export.content)
            assert_no_number(text, f"export by {user}", births=True)
            seen_masks |= {f.identity_masked for f in export.files if f.identity_masked in text}
    assert seen_masks == {f.identity_masked for f in files.values()}


# --- (d) The logs ---------------------------------------------------------------------


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ["django", "django.request", "django.db.backends", "django.server"]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.name} {r.getMessage()} {getattr(r, 'sql', '')} {getattr(r, 'params', '')}"
        for r in caplog.records
    )


@override_settings(DEBUG=True)
def test_no_number_is_logged_with_the_sql_log_on(
    care: CareCast, all_logs: pytest.LogCaptureFixture
) -> None:
    enrolled = open_file(
        care.worker2, care.cast.places.v2, lead=care.worker2, identity_number=V2_ID
    )
    files = busy_registry_without_v2(care) | {"v2": enrolled}
    read_everything(care, files)
    worker = client_for(care.worker)
    worker.get(reverse("care:index"))
    worker.get(reverse("care:detail", args=[files["adult"].code]))
    supervisor = client_for(care.supervisor)
    supervisor.post(
        reverse("care:identity", args=[files["adult"].code]),
        {"reveal-purpose": "supervision", "reveal-purpose_note": ""},
    )
    supervisor.post(reverse("care:emergency"), {"lookup": enrolled.code, "reason": "走失"})
    client_for(care.worker).get("/api/care/files/NOSUCHFILE")  # a 404, logged by Django
    text = _logged(all_logs)
    # The log was on: the SQL went through it, with the cipher text and the blind index.
    assert "INSERT INTO" in text and enrolled.identity_index in text
    assert "Not Found: /api/care/files/NOSUCHFILE" in text
    assert_no_number(text, "the logs", births=True)


def busy_registry_without_v2(care: CareCast) -> dict[str, CareFile]:
    today = timezone.localdate()
    adult, child = care.file, child_file(care)
    services.care_file_record_visit(
        by=care.worker, file=adult, visited_on=today, method="home", seen="好"
    )
    services.care_file_assess(by=care.supervisor, file=adult, level="3", reasons=["relapse"])
    access.reveal_identity(care.supervisor, adult, access.Via.PAGE, purpose="supervision")
    with pytest.raises(ValidationError):  # the same person again: refused by blind index
        services.care_file_register(
            by=care.worker, new=new_file(care.cast.places.v1, team=[Member("lead", care.worker)])
        )
    return {"adult": adult, "child": child}


@override_settings(DEBUG=True)
def test_an_emergency_lookup_by_number_logs_no_number(
    care: CareCast, all_logs: pytest.LogCaptureFixture
) -> None:
    assert access.find_for_emergency(care.county_supervisor, ADULT_ID) == care.file
    text = _logged(all_logs)
    assert care.file.identity_index in text  # the lookup went through the SQL log
    assert_no_number(text, "the emergency lookup's SQL log")


# --- (e) The pages --------------------------------------------------------------------


def test_a_care_workers_pages_show_the_mask_and_never_the_number(care: CareCast) -> None:
    files = busy_registry(care)
    worker = client_for(care.worker)
    index = worker.get(reverse("care:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert_no_number(html, "the list")
    assert files["adult"].identity_masked in html
    for key in ["adult", "child"]:
        f = files[key]
        url = reverse("care:detail", args=[f.code])
        page = worker.get(url)
        assert page.status_code == 200
        assert_no_number(page.content.decode(), f"the page of {key}")
        assert f.identity_masked in page.content.decode()
        # With the purpose stated, the sensitive sections open; the number stays masked.
        worker.post(reverse("care:purpose", args=[f.code]), {"purpose": "visit"})
        assert_no_number(worker.get(url).content.decode(), f"the opened page of {key}")
        # A care worker has no right to the full number: asking for it is refused.
        refused = worker.post(reverse("care:identity", args=[f.code]), {"reveal-purpose": "visit"})
        assert refused.status_code == 403
        assert_no_number(refused.content.decode(), "the refusal")


def test_the_number_shows_once_to_a_supervisor_who_states_why(care: CareCast) -> None:
    files = busy_registry(care)
    adult = files["adult"]
    supervisor = client_for(care.supervisor)
    url = reverse("care:detail", args=[adult.code])
    assert_no_number(supervisor.get(url).content.decode(), "the supervisor's page")
    without = supervisor.post(reverse("care:identity", args=[adult.code]), {})
    assert without.status_code == 400
    assert_no_number(without.content.decode(), "a reveal without a purpose")
    shown = supervisor.post(
        reverse("care:identity", args=[adult.code]), {"reveal-purpose": "supervision"}
    )
    assert shown.status_code == 200 and ADULT_ID in shown.content.decode()
    assert_no_number(supervisor.get(url).content.decode(), "the page after the reveal")
    assert CareAccess.objects.filter(what="identity", user=care.supervisor).count() == 2


# --- Key rotation ---------------------------------------------------------------------


def test_a_rotated_key_still_reads_old_files_and_finds_old_numbers(care: CareCast) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    p = care.cast.places
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        f = open_file(care.worker2, p.v2, lead=care.worker2, identity_number=V2_ID)
        index_then = f.identity_index
        assert Fernet(old.encode()).decrypt(f.identity_encrypted.encode()).decode() == V2_ID

    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        stored = CareFile.objects.get(pk=f.pk)
        assert stored.full_identity() == V2_ID
        assert stored.birth_date() == rules.birth_date_of(V2_ID)
        assert crypto.blind_index(V2_ID) == index_then == stored.identity_index
        assert access.find_for_emergency(care.supervisor2, stored.code) == stored
        assert access.find_for_emergency(care.supervisor, V2_ID) == stored  # by blind index
        with pytest.raises(ValidationError) as twice:
            open_file(care.worker2, p.v2, lead=care.worker2, identity_number=V2_ID)
        assert "此人已在本类别建档在管" in str(twice.value)
        # What is encrypted now is encrypted under the new key.
        token = crypto.encrypt(V2_ID)
        assert Fernet(new.encode()).decrypt(token.encode()).decode() == V2_ID

    # The old key dropped too soon: the old files no longer open.
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]), pytest.raises(InvalidToken):
        CareFile.objects.get(pk=f.pk).full_identity()


def test_the_field_keys_are_the_settings_not_a_cached_first_guess(care: CareCast) -> None:
    """crypto caches one cipher per key tuple: a changed setting is a changed cipher."""
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[first]):
        token = crypto.encrypt("x")
        index = crypto.blind_index(ADULT_ID)
    with override_settings(FIELD_ENCRYPTION_KEYS=[second]):
        with pytest.raises(InvalidToken):
            crypto.decrypt(token)
        assert crypto.blind_index(ADULT_ID) != index


def test_a_crash_while_enrolling_mails_the_administrators_no_identity_number(
    care: CareCast, monkeypatch: pytest.MonkeyPatch, mailoutbox: list[Any]
) -> None:
    """Django mails the administrators a report of every server error, with the POST data
    and each frame's local variables: the enrolment's are marked sensitive."""
    from django.test import Client

    from zongzhi.care.tests.test_file_pages import enrol_post

    number = rules.with_check_digit("53042419850304111")

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "care_file_register", crash)
    client = Client(raise_request_exception=False)
    client.force_login(care.worker)
    with override_settings(DEBUG=False, ADMINS=["ops@example.org"]):
        response = client.post(reverse("care:new"), enrol_post(care))
    assert response.status_code == 500
    assert len(mailoutbox) == 1
    report = mailoutbox[0].body + "".join(str(a[1]) for a in mailoutbox[0].attachments)
    assert "王五" in report  # the report is there, with what is not sensitive
    assert number not in report
