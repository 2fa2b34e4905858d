"""What every router of the REST API shares: safe text, the error responses an operation
declares, code+name pairs, limit/offset pages, and idempotency keys.

Text that reaches the database goes through `Text`: a NUL character or a lone surrogate
is refused as input (422) before PostgreSQL would refuse it as a server error.

An idempotency key comes in the `Idempotency-Key` header or as `idempotency_key` in the
body. It is kept namespaced by the caller (`api:<user id>:<key>`), so two client systems
that happen to choose the same key never meet.
"""

import re
from collections.abc import Iterable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import AfterValidator

from zongzhi.api_errors import ApiError

_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def _safe(value: str) -> str:
    if _UNSAFE.search(value):
        raise ValueError("不能含有空字符或无效的Unicode字符")
    return value


# A string safe to store and to query with.
Text = Annotated[str, AfterValidator(_safe)]


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's responses: its successes, 401 and 422 (every operation has auth and
    parameters), and the error statuses it names, all in api_errors' shape."""
    declared: dict[int, Any] = dict(ok)
    for status in sorted({401, 422, *errors}):
        declared[status] = ApiError
    return declared


class Coded(Schema):
    code: str = Field(description="代码")
    name: str = Field(description="名称")


def coded(code: Any, name: Any) -> dict[str, str]:
    return {"code": str(code), "name": str(name)}


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[dict[str, str]]:
    return [coded(code, name) for code, name in pairs]


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="每页条数（1–200）")
    offset: int = Field(0, ge=0, le=1_000_000, description="跳过的条数")


def page(rows: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    """One page of `rows` and the total: two queries whatever the number of rows."""
    return {
        "count": rows.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": list(rows[params.offset : params.offset + params.limit]),
    }


# --- Idempotency keys -----------------------------------------------------------------

KEY_PATTERN = r"^[A-Za-z0-9._:\-]{1,40}$"
KEY_DESCRIPTION = (
    "幂等键：同一键的重复提交返回第一次的结果，不再新建（1–40位字母、数字或 . _ : -，"
    "如 UUID）。也可放在 Idempotency-Key 请求头中。"
)
HEADER_DESCRIPTION = "幂等键（同 idempotency_key）：重试时带上同一个键，不会重复新建"
_KEY = re.compile(KEY_PATTERN)
# Case, Hazard and ScreeningReport keep keys of at most 64 characters.
STORED_MAX = 64


def idempotency_key(request: HttpRequest, header: str | None, body: str | None) -> str | None:
    """The caller's key (header or body), namespaced by the caller; None without one."""
    header = header or None
    body = body or None
    if header and body and header != body:
        raise ValidationError(
            {"idempotency_key": "请求头 Idempotency-Key 与请求体中的 idempotency_key 不一致"}
        )
    key = header or body
    if key is None:
        return None
    if not _KEY.match(key):
        raise ValidationError(
            {"idempotency_key": "幂等键须为1–40位字母、数字或 . _ : -（如 UUID）"}
        )
    stored = f"api:{request.user.pk}:{key}"
    assert len(stored) <= STORED_MAX  # a 19-digit user id and a 40-character key fit
    return stored
