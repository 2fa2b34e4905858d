"""Fixed-window rate limits counted in the database (core.models.RateWindow), so that
several web processes share one count without a shared cache.

A request adds one to its bucket's row for the present window (one UPDATE; the first
request of a window INSERTs, and a racing second INSERT falls back to the UPDATE); past
the limit it is refused with the seconds until the window ends. Refused requests count
too: a client that keeps hammering gains nothing, and the window still ends on time.
"""

import math
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zongzhi.core.errors import RateLimited
from zongzhi.core.models import RateWindow


def _window(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def hit(bucket: str, *, limit: int, seconds: int, message: str, now: datetime | None = None) -> int:
    """Count one request in `bucket`; its count in this window. Raises RateLimited (with
    `message` and the seconds until the window ends) once the count exceeds `limit`.
    A limit of 0 or less means no limit, and nothing is written."""
    if limit <= 0:
        return 0
    now = now or timezone.now()
    start = _window(now, seconds)
    rows = RateWindow.objects.filter(bucket=bucket, window_start=start)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateWindow.objects.create(bucket=bucket, window_start=start, count=1)
            except IntegrityError:
                rows.update(count=F("count") + 1)
        count = rows.values_list("count", flat=True).get()
    if count > limit:
        ends = start + timedelta(seconds=seconds)
        raise RateLimited(message, max(1, math.ceil((ends - now).total_seconds())))
    return count


def prune(*, older_than: timedelta = timedelta(hours=1), now: datetime | None = None) -> int:
    """Forget windows that ended long ago; how many rows went."""
    since = (now or timezone.now()) - older_than
    deleted, _ = RateWindow.objects.filter(window_start__lt=since).delete()
    return deleted
