"""What every register's write path shares: who acted, required text, the caller's
object brought up to date, and the short random codes people read out."""

import dataclasses
import hashlib
import json
import secrets
import unicodedata
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from zongzhi.core.errors import KeyReused

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


def _plain(value: Any) -> Any:
    """`value` as plain JSON, normalised so that what means the same digests the same:
    text stripped and NFC, a record as its primary key, an amount without trailing
    zeros, a file as its name and size."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, models.Model):
        return [value._meta.label, value.pk]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, UploadedFile):
        return [value.name, value.size]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def body_digest(new: Any, *, ignore: Collection[str] = ()) -> str:
    """A SHA-256 of a write's input (a dataclass such as NewCase), kept beside its
    idempotency key so that the key sent again with another body is told apart from a
    retry (`check_same_body`). `ignore` names fields that may differ between a request and
    its retry (who is sending it)."""
    plain = {k: v for k, v in _plain(new).items() if k not in ignore}
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_same_body(*, key: str, kept: str, digest: str) -> None:
    """Refuse (KeyReused) a key sent again with a different body. A record kept before
    digests were (`kept` empty) is taken as the same, as it always was."""
    if kept and kept != digest:
        raise KeyReused(key)


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
