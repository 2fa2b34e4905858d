"""The audit log: `record` writes one entry (core.models.AuditEntry); nothing else does.

    record(actor, action, target, detail="", *, address="") -> AuditEntry

`actor` is whoever acted (a User, a system actor, or None for nobody signed in), `action`
one of AuditEntry.Kind (or a new short code), `target` what it was done to by its
identifier ("事项 241207-ABC123", "user:zhangsan", "台账 cases") — never a party's name or
number — and `detail` a short note (at most 500 characters). Domain apps call it; core
imports none of them.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from zongzhi.core.http import client_address
from zongzhi.core.models import AuditEntry

Kind = AuditEntry.Kind


def record(
    actor: Any, action: str, target: str, detail: str = "", *, address: str = ""
) -> AuditEntry:
    """One entry, at once (in the caller's transaction, if any)."""
    return AuditEntry.objects.create(
        at=timezone.now(),
        action=str(action)[:40],
        actor_id=getattr(actor, "pk", None),
        actor_username=str(getattr(actor, "username", "") or "")[:150],
        actor_name=_name(actor)[:100],
        target=target[:200],
        detail=detail[:500],
        address=address[:64],
    )


def record_daily(actor: Any, action: str, target: str, detail: str = "") -> AuditEntry | None:
    """As `record`, but at most once a day (local) per actor, action and target: for what
    happens all day long (a key's calls, an officer reading cases), that it happened and
    when it began is what an inspection needs, not every repetition."""
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    done = AuditEntry.objects.filter(
        at__gte=since, action=action, target=target[:200], actor_id=getattr(actor, "pk", None)
    ).exists()
    return None if done else record(actor, action, target, detail)


def prune(now: datetime | None = None) -> int:
    """Forget entries older than settings.ZONGZHI_AUDIT_DAYS; how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ZONGZHI_AUDIT_DAYS)
    return AuditEntry.objects.prune_before(cutoff)


def _name(actor: Any) -> str:
    if actor is None:
        return ""
    return str(getattr(actor, "full_name", "") or getattr(actor, "username", "") or actor)


def on_account_change(kind: str) -> Any:
    """A receiver for zongzhi.accounts.signals (sent with by, user and request): who
    changed whose password or second factor, from where."""

    def receiver(sender: object, by: Any, user: Any, request: Any = None, **kwargs: object) -> None:
        record(by, kind, f"user:{user.username}", address=_address(request))

    return receiver


def on_sign_in(sender: object, request: Any, user: Any, **kwargs: object) -> None:
    """user_logged_in: who signed in, from where."""
    record(user, Kind.SIGN_IN, f"user:{user.username}", address=_address(request))


def on_sign_in_failed(
    sender: object, credentials: dict[str, Any], request: Any = None, **kwargs: object
) -> None:
    """user_login_failed: the username tried (Django has already taken the password out of
    `credentials`; only the username is read here) and from where."""
    tried = str(credentials.get("username", "") or "")[:150]
    record(None, Kind.SIGN_IN_FAILED, f"user:{tried}", address=_address(request))


def _address(request: Any) -> str:
    if request is None or not hasattr(request, "META"):
        return ""
    return client_address(request)
