"""The dashboard says when its figures were last brought up to date, and warns when that
was too long ago (the worker or the scheduler is not running)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zongzhi.analytics import rollups
from zongzhi.analytics.models import RollupState
from zongzhi.analytics.tests.test_dashboard import leader
from zongzhi.conftest import Cast

pytestmark = pytest.mark.django_db


def _freshness(cast: Cast) -> str:
    page = leader(cast).get(reverse("analytics:dashboard")).content.decode()
    start = page.index('data-testid="freshness"')
    return page[start : page.index("</p>", start)]


def test_the_dashboard_says_when_the_figures_were_refreshed(cast: Cast) -> None:
    rollups.refresh_rollups()
    at = timezone.localtime(RollupState.objects.get(name=rollups.STATE).refreshed_at)
    shown = _freshness(cast)
    assert f"数据更新于 {at:%H:%M}" in shown
    assert "没有更新" not in shown


def test_figures_older_than_fifteen_minutes_are_flagged(cast: Cast) -> None:
    rollups.refresh_rollups()
    RollupState.objects.filter(name=rollups.STATE).update(
        refreshed_at=timezone.now() - timedelta(minutes=16)
    )
    shown = _freshness(cast)
    assert "数据更新于" in shown
    assert "已超过15分钟没有更新" in shown and "run_scheduler" in shown


def test_figures_never_refreshed_say_so(cast: Cast) -> None:
    shown = _freshness(cast)
    assert "数据尚未汇总" in shown and "没有更新" in shown


def test_freshness_follows_the_setting(settings: object) -> None:
    now = timezone.now()
    RollupState.objects.create(name=rollups.STATE, refreshed_at=now - timedelta(minutes=6))
    assert not rollups.freshness(now).stale
    settings.ZONGZHI_FIGURES_STALE_MINUTES = 5  # type: ignore[attr-defined]
    assert rollups.freshness(now).stale
