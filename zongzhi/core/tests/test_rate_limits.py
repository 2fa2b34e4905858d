"""An API key may make ZONGZHI_API_WRITES_PER_MINUTE writes a minute, counted in the
database (every web process shares the count): beyond, 429 with Retry-After, on the REST
API and on Open311; reads are not counted."""

from datetime import UTC, datetime

import pytest
from django.test import Client, override_settings

from zongzhi.accounts.rules import Role
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.conftest import Cast
from zongzhi.core import ratelimit
from zongzhi.core.errors import RateLimited
from zongzhi.core.models import RateWindow

pytestmark = pytest.mark.django_db


@override_settings(ZONGZHI_API_WRITES_PER_MINUTE=2)
def test_the_third_write_in_a_minute_is_429_with_retry_after(cast: Cast) -> None:
    api = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    for _ in range(2):
        assert api.post("/api/cases/", {}).status_code == 422  # counted, though refused
    third = api.post("/api/cases/", {})
    assert_error(third, 429, "rate_limited")
    assert 1 <= int(third["Retry-After"]) <= 60
    assert api.get("/api/cases/").status_code == 200  # reads are not writes
    # The same key on Open311 shares the count, in GeoReport's error document.
    open311 = Client().post("/open311/v2/requests.json", {"api_key": api.key})
    assert open311.status_code == 429 and open311["Retry-After"]
    assert open311.json()[0]["code"] == 429
    # Another key has its own count.
    other = KeyClient(cast.by_role[Role.CLIENT_SYSTEM])
    assert other.post("/api/cases/", {}).status_code == 422


def test_a_window_ends_and_old_windows_are_pruned() -> None:
    at = datetime(2026, 3, 1, 8, 0, 50, tzinfo=UTC)
    assert ratelimit.hit("b", limit=1, seconds=60, message="slow", now=at) == 1
    with pytest.raises(RateLimited) as refused:
        ratelimit.hit("b", limit=1, seconds=60, message="slow", now=at)
    assert refused.value.retry_after == 10
    next_minute = datetime(2026, 3, 1, 8, 1, 0, tzinfo=UTC)
    assert ratelimit.hit("b", limit=1, seconds=60, message="slow", now=next_minute) == 1
    assert ratelimit.prune(now=datetime(2026, 3, 1, 9, 0, 30, tzinfo=UTC)) == 1
    assert RateWindow.objects.count() == 1
