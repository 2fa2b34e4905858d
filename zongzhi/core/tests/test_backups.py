"""Backups: what `manage.py backup` writes, `manage.py restore` brings back (the figures and a
care file's identity number as they were), and what the nightly job keeps.

The round trip runs on the suite's engine: SQLite through its online backup API (in the
`-m sqlite` run), PostgreSQL through pg_dump and pg_restore (the whole suite's run)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import override_settings

from zongzhi.accounts.rules import Role
from zongzhi.analytics import rollups
from zongzhi.analytics.models import COUNTERS, AreaDayTotal, RollupState
from zongzhi.care.models import CareFile
from zongzhi.care.tests.conftest import ADULT_ID, CHILD_ID, open_file
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in, registered
from zongzhi.conftest import Cast
from zongzhi.core import backups, crypto

pytestmark = pytest.mark.sqlite


def figures() -> dict[str, Any]:
    return AreaDayTotal.objects.filter(depth=6).aggregate(**{c: Sum(c) for c in COUNTERS})


# Transactional: pg_dump reads committed rows from its own session, and SQLite's backup
# API cannot write into a connection that holds an open transaction. Serialized: the
# migrations' rows (categories, content types) are put back first, since an earlier
# transactional test may have emptied the database, and no post_migrate runs after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_brings_back_the_figures_and_the_identity_number_as_they_were(
    cast: Cast, tmp_path: Path, capsys: Any
) -> None:
    case_in(cast, Status.CLOSED)
    registered(cast)
    care_file = open_file(cast.by_role[Role.CARE_WORKER], cast.places.v1)
    rollups.rebuild_rollups()
    before = figures()
    assert before["received"] == 2 and before["closed"] == 1
    computed_at = RollupState.objects.get().refreshed_at

    call_command("backup", "--out", str(tmp_path))
    (written,) = tmp_path.iterdir()
    assert backups.NAME_PATTERN.match(written.name)
    assert written.stat().st_mode & 0o077 == 0  # personal data: the service's user only

    # A day's damage: another case counted, and the file's number overwritten.
    registered(cast)
    rollups.rebuild_rollups()
    CareFile.objects.filter(pk=care_file.pk).update(identity_encrypted=crypto.encrypt(CHILD_ID))
    assert figures()["received"] == 3

    call_command("restore", str(written), "--yes")

    assert Case.objects.count() == 2
    assert figures() == before
    assert CareFile.objects.get(pk=care_file.pk).full_identity() == ADULT_ID
    # The figures were computed again after the restore, not merely copied back.
    assert RollupState.objects.get().refreshed_at > computed_at
    assert "rebuild_rollups" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_restore_without_yes_is_refused_and_changes_nothing(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = tmp_path / "zongzhi-20261207-030000.dump"
    backup.write_bytes(b"PGDMP")
    # Take the file as sound, whatever the engine: only the missing --yes must stop it.
    monkeypatch.setattr(backups, "check_restorable", lambda *a, **k: "postgresql")
    restores: list[Path] = []
    monkeypatch.setattr(backups, "restore", lambda path, **k: restores.append(path))
    registered(cast)
    with pytest.raises(CommandError, match="未做任何更改。确认无误后加 --yes 再运行"):
        call_command("restore", str(backup))
    assert restores == []
    assert Case.objects.count() == 1


def test_a_file_that_is_not_a_backup_is_refused_by_name(tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    with pytest.raises(backups.BackupError, match="不是本系统的备份文件"):
        backups.backup_kind(stray)


def test_retention_keeps_the_newest_backups_and_touches_no_other_file(tmp_path: Path) -> None:
    names = [f"zongzhi-202612{day:02d}-190000.dump" for day in range(1, 6)]
    others = ["zongzhi-20261201-190000.dump.part", "notes.txt", "zongzhi-latest.dump"]
    for name in names + others:
        (tmp_path / name).write_bytes(b"x")
    deleted = backups.prune(tmp_path, keep=2)
    assert sorted(p.name for p in deleted) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[3:] + others)


def test_the_nightly_backup_writes_into_the_directory_and_keeps_the_newest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(1, 4):
        (tmp_path / f"zongzhi-202612{day:02d}-030000.sqlite3").write_bytes(b"x")

    def backup(out_dir: Path) -> Path:  # the round trip above proves the real one
        written = out_dir / "zongzhi-20261204-030000.sqlite3"
        written.write_bytes(b"x")
        return written

    monkeypatch.setattr(backups, "backup", backup)
    with override_settings(ZONGZHI_BACKUP_DIR=str(tmp_path), ZONGZHI_BACKUP_KEEP=2):
        done = backups.nightly()
    assert done["written"] == str(tmp_path / "zongzhi-20261204-030000.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "zongzhi-20261203-030000.sqlite3",
        "zongzhi-20261204-030000.sqlite3",
    ]


def test_the_nightly_backup_is_off_when_the_directory_is_empty(caplog: Any) -> None:
    with override_settings(ZONGZHI_BACKUP_DIR=""):
        assert backups.nightly() == {"written": None, "deleted": []}
    assert "nightly backup is off" in caplog.text


def test_backup_names_carry_beijing_time() -> None:
    at = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    assert backups.backup_name(at, "postgresql") == "zongzhi-20261208-030000.dump"
    assert backups.backup_name(at, "sqlite") == "zongzhi-20261208-030000.sqlite3"


def test_the_password_goes_to_pg_dump_in_the_environment() -> None:
    env = backups.pg_environment(
        {
            "NAME": "zz",
            "USER": "u",
            "PASSWORD": "s3cret",
            "HOST": "",
            "PORT": "",
            "OPTIONS": {"host": "/run/postgresql", "port": 5499, "sslmode": "require"},
        }
    )
    assert env["PGPASSWORD"] == "s3cret" and env["PGDATABASE"] == "zz"
    assert env["PGHOST"] == "/run/postgresql"
    assert (env["PGPORT"], env["PGSSLMODE"]) == ("5499", "require")
