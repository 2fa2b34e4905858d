"""Posting to a group robot (群机器人): each kind's message format, DingTalk's and Feishu's
signatures, and one POST with a short timeout. No database here.

The formats, as the robots document them:
- WeCom (企业微信): {"msgtype": "markdown", "markdown": {"content": …}}; answers
  {"errcode": 0, "errmsg": "ok"}.
- DingTalk (钉钉): {"msgtype": "markdown", "markdown": {"title": …, "text": …}}; with 加签,
  `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(key=secret,
  msg=f"{timestamp}\\n{secret}"))) are added to the URL's query; answers {"errcode": 0}.
- Feishu (飞书): {"msg_type": "text", "content": {"text": …}}; with 签名校验, `timestamp`
  (s) and `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")) go into
  the body; answers {"code": 0}.
- Generic: our own JSON (event, case, subject, text, link); any 2xx is accepted.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit, urlunsplit

from zongzhi.notifications import rules
from zongzhi.notifications.rules import WebhookKind

# What of a robot's answer is kept in the log: enough to read its error message.
ANSWER_KEPT = 300


@dataclass(frozen=True)
class Message:
    """What a notification says, as every format needs it."""

    event: str
    subject: str
    lines: list[str]
    link: str
    case_code: str = ""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def markdown(message: Message) -> str:
    body = "\n".join(f"> {line}" for line in message.lines)
    link = f"\n\n[查看事项]({message.link})" if message.link else ""
    return f"### {message.subject}\n{body}{link}"


def plain(message: Message) -> str:
    link = [f"查看事项：{message.link}"] if message.link else []
    return "\n".join([message.subject, *message.lines, *link])


def payload(kind: str, message: Message, *, secret: str = "", now: float) -> dict[str, Any]:
    """The JSON body for a robot of `kind` (Feishu's signature, when there is a secret,
    goes into the body; `now` is the Unix time in seconds)."""
    if kind == WebhookKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": markdown(message)}}
    if kind == WebhookKind.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.subject, "text": markdown(message)},
        }
    if kind == WebhookKind.FEISHU:
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": plain(message)}}
        if secret:
            timestamp = str(int(now))
            body = {"timestamp": timestamp, "sign": feishu_sign(secret, timestamp), **body}
        return body
    return {
        "event": message.event,
        "case": message.case_code,
        "subject": message.subject,
        "text": plain(message),
        "lines": message.lines,
        "link": message.link,
    }


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk's 加签, not yet URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: str) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def target_url(kind: str, url: str, *, secret: str = "", now: float) -> str:
    """The address to POST to: DingTalk's signed robots take timestamp and sign in the query."""
    if kind != WebhookKind.DINGTALK or not secret:
        return url
    timestamp = str(int(now * 1000))
    parts = urlsplit(url)
    extra = f"timestamp={timestamp}&sign={quote_plus(dingtalk_sign(secret, timestamp))}"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def _answer_problem(kind: str, answer: bytes) -> str | None:
    """A robot that answers 200 may still refuse (a bad key, a bad signature, too many
    messages): its result code says so."""
    key = rules.ANSWERS_WITH_CODE.get(WebhookKind(kind)) if kind in WebhookKind else None
    if key is None:
        return None
    try:
        data = json.loads(answer.decode("utf-8", "replace") or "{}")
    except ValueError:
        return None  # not JSON: the HTTP status stands
    if not isinstance(data, dict) or key not in data:
        return None
    if data[key] in (0, "0"):
        return None
    said = data.get("errmsg") or data.get("msg") or ""
    return f"机器人拒收：{key}={data[key]} {said}".strip()


def post(
    kind: str,
    url: str,
    message: Message,
    *,
    secret: str = "",
    clock: Callable[[], float] = time.time,
    timeout: float = rules.HTTP_TIMEOUT_SECONDS,
) -> Outcome:
    """POST the message to the robot; 2xx (and a zero result code where the kind has one)
    is delivered. Never raises: every failure comes back as an Outcome."""
    problem = rules.url_problem(url)
    if problem is not None:
        return Outcome(False, None, problem, 0)
    now = clock()
    body = json.dumps(payload(kind, message, secret=secret, now=now), ensure_ascii=False)
    request = urllib.request.Request(  # noqa: S310 (http(s) only: url_problem above)
        target_url(kind, url, secret=secret, now=now),
        data=body.encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "zongzhi"},
        method="POST",
    )
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked above)
            status = int(response.status)
            answer = response.read(64 * 1024)
    except urllib.error.HTTPError as e:
        text = e.read(ANSWER_KEPT).decode("utf-8", "replace") if e.fp is not None else ""
        return Outcome(False, e.code, f"HTTP {e.code} {text}".strip()[:ANSWER_KEPT], took())
    except TimeoutError:
        return Outcome(False, None, f"超时（{timeout:g}秒无应答）", took())
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            return Outcome(False, None, f"超时（{timeout:g}秒无应答）", took())
        return Outcome(False, None, f"连接失败：{e.reason}"[:ANSWER_KEPT], took())
    except (OSError, ValueError) as e:
        return Outcome(False, None, f"发送失败：{e}"[:ANSWER_KEPT], took())
    if not 200 <= status < 300:
        return Outcome(False, status, f"HTTP {status}", took())
    refused = _answer_problem(kind, answer)
    if refused is not None:
        return Outcome(False, status, refused[:ANSWER_KEPT], took())
    return Outcome(True, status, "", took())
