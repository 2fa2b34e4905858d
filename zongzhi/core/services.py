"""What every register's write path shares: who acted, required text, the caller's
object brought up to date, and the short random codes people read out."""

import secrets
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models

# No 0/O or 1/I: a code is read out over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def dated_code(today: date, *, length: int, prefix: str = "") -> str:
    """`prefix`, the date and `length` random characters: short to read, not guessable."""
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{prefix}{today:%y%m%d}-{random_part}"


class Created[T](NamedTuple):
    """What an idempotent create gives back: the record, and whether this call made it
    (False for a retry with a key already used), so a caller can answer 201 or 200 without
    looking the key up again."""

    record: T
    created: bool


def actor_name(by: object) -> str:
    """The name a timeline keeps for whoever acted ("系统" for the scheduled jobs)."""
    return str(getattr(by, "full_name", "") or by)


def actor_id(by: object) -> int | None:
    return getattr(by, "pk", None)


def require_text(value: str, field_name: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: f"请填写{label}"})
    return value


def refresh_from(stale: models.Model, fresh: models.Model) -> None:
    """Bring the caller's object up to date with the row a service just wrote, so it never
    holds a state the record left. Copied, not read again."""
    for f in type(fresh)._meta.concrete_fields:
        setattr(stale, f.attname, getattr(fresh, f.attname))
    stale._state.fields_cache = dict(fresh._state.fields_cache)
    stale.__dict__.pop("_prefetched_objects_cache", None)
