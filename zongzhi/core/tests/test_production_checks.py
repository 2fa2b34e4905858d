"""`make serve` (check --deploy, then run_all --web gunicorn) refuses what would make a
production server unsafe or useless, before any process starts."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import override_settings

from zongzhi.core.checks import production_settings


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal that did not happen fails here instead of starting the whole system."""

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("run_all started its processes")

    monkeypatch.setattr("zongzhi.core.management.commands.run_all.Supervisor", started)


@override_settings(DEBUG=True)
def test_debug_on_is_refused_by_the_deploy_check_and_by_run_all_with_gunicorn() -> None:
    assert [e.id for e in production_settings()] == ["zongzhi.E001"]
    with pytest.raises(SystemCheckError, match=r"zongzhi\.E001"):
        call_command("check", deploy=True, fail_level="ERROR", tags=["security"])
    with pytest.raises(CommandError, match="DJANGO_DEBUG is on"):
        call_command("run_all", web="gunicorn")


@override_settings(DEBUG=False, ALLOWED_HOSTS=[])
def test_no_allowed_hosts_is_refused() -> None:
    assert [e.id for e in production_settings()] == ["zongzhi.E002"]
    with pytest.raises(CommandError, match="DJANGO_ALLOWED_HOSTS is empty"):
        call_command("run_all", web="gunicorn")


@override_settings(DEBUG=False, ALLOWED_HOSTS=["zongzhi.example.gov.cn"])
def test_production_settings_pass() -> None:
    assert production_settings() == []
