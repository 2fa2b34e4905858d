"""Reading notifications: a unit's robot and its delivery log."""

from django.db.models import Prefetch, QuerySet

from zongzhi.notifications.models import Delivery, DeliveryAttempt, UnitWebhook
from zongzhi.units.models import Unit

LOG_SIZE = 20


def webhook_of(unit: Unit) -> UnitWebhook | None:
    return UnitWebhook.objects.filter(unit=unit).first()


def delivery_log(unit: Unit, limit: int = LOG_SIZE) -> QuerySet[Delivery]:
    """The unit robot's latest deliveries, newest first, each with its attempts."""
    return (
        Delivery.objects.filter(webhook__unit=unit)
        .select_related("notification")
        .prefetch_related(Prefetch("tries", queryset=DeliveryAttempt.objects.order_by("at", "pk")))
        .order_by("-created_at", "-pk")[:limit]
    )


def masked_url(url: str) -> str:
    """A robot's address without its key, for those who may read but not change it: the
    key in the address is what lets anyone post to the group."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"
