"""API keys: made, checked and withdrawn here, and nowhere else.

A key is `zz_` and 40 random characters. Keys are long and random, so a plain SHA-256
digest is enough to keep them (a slow password hash buys nothing against guessing 240
bits); the digest makes a stolen database useless for calling the API.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import ApiToken, RoleAssignment, User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.core import audit, ratelimit
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level

KEY_PREFIX = "zz_"
# last_used_at is written at most this often, so that a busy client is not one write per call.
_USE_RESOLUTION = timedelta(minutes=1)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, by: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """A new key for `user`: the record, and the key itself (shown once, never kept).
    A person makes keys for themselves; an administrator's command makes a system's."""
    if by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied("只能为自己创建接口密钥")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写密钥用途，例如“12345热线对接”"})
    if len(name) > 100:
        raise ValidationError({"name": "密钥用途不超过100字"})
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:10],
        digest=key_digest(key),
        created_at=timezone.now(),
    )
    audit.record(
        by,
        audit.Kind.API_KEY_CREATED,
        f"接口密钥 {token.prefix}…",
        f"账号 {user.username}；用途：{name}",
    )
    return token, key


def revoke_token(*, by: Actor, token: ApiToken) -> ApiToken:
    if by.pk != token.user_id and not by.is_superuser:
        raise PermissionDenied("只能停用自己的接口密钥")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_key(key: str) -> User | None:
    """The active user a key belongs to, or None for an unknown, withdrawn or malformed key
    (or one whose user is inactive)."""
    token = token_for_key(key)
    return token.user if token is not None else None


def count_write(token: ApiToken) -> None:
    """One write (a POST, PUT, PATCH or DELETE) by `token`; RateLimited (429 with
    Retry-After) past settings.ZONGZHI_API_WRITES_PER_MINUTE in the present minute. Per
    key, not per user: a client system's second key is a second integration."""
    ratelimit.hit(
        f"api-key:{token.pk}",
        limit=settings.ZONGZHI_API_WRITES_PER_MINUTE,
        seconds=60,
        message=f"该接口密钥每分钟最多提交{settings.ZONGZHI_API_WRITES_PER_MINUTE}次，请稍后重试",
    )


def token_for_key(key: str) -> ApiToken | None:
    """The active key record (with its user) for `key`, as `user_for_key`."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or now - last > _USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The first use of each day, not every call: the log says which keys were in use
        # on which days without a row per request.
        if last is None or timezone.localdate(last) != timezone.localdate(now):
            audit.record(token.user, audit.Kind.API_KEY_USED, f"接口密钥 {token.prefix}…")
    return token


def create_client_system(*, name: str, region: Region) -> tuple[User, str]:
    """An account for another system (对接系统) that registers cases in `region`, and its
    first key. The account cannot sign in to the pages: it has no password."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写对接系统名称"})
    if region.level < Level.COUNTY:
        raise ValidationError({"region": "对接系统须设在县及以下的区划"})
    with transaction.atomic():
        username = "sys-" + secrets.token_hex(4)
        user = User(username=username, full_name=name)
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.CLIENT_SYSTEM, region=region)
        audit.record(SYSTEM, audit.Kind.ROLE_GRANTED, f"user:{username}", f"对接系统（{region}）")
        _, key = issue_token(by=SYSTEM, user=user, name=name)
    return user, key
