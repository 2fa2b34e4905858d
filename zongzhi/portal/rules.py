"""The portal's abuse guard, as pure rules: how many of what, per whom, per how long.

No CAPTCHA (it needs a third-party service or shuts out the elderly and the visually
impaired), so the guard is limits on the sender (the network address, the phone number),
a honeypot field and a minimum time to fill the form. The limits are sliding windows:
a sender may make `count` admitted attempts in any `window`; a refused attempt is not
counted, so waiting until the time the refusal names always works.
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Limit:
    scope: str  # the counter's name in the database
    count: int
    window: timedelta


# A village office or a family shares one address: five requests an hour from one network
# is more than any household makes, and fewer than a script wants.
SUBMIT_PER_IP = Limit("submit-ip", 5, timedelta(hours=1))
SUBMIT_PER_PHONE = Limit("submit-phone", 3, timedelta(days=1))
# Looking up a tracking code: a resident checks a few times a day; a script guessing codes
# (date + 6 of 32 characters: about a billion a day) gets nowhere at this pace.
LOOKUP_PER_IP = Limit("lookup-ip", 30, timedelta(hours=1))
# Wrong last-4-digits of the phone when rating one case: 10,000 possibilities, 5 tries a day.
RATE_TRIES_PER_CASE = Limit("rate-tries", 5, timedelta(days=1))

LIMITS = (SUBMIT_PER_IP, SUBMIT_PER_PHONE, LOOKUP_PER_IP, RATE_TRIES_PER_CASE)
LONGEST_WINDOW = max(limit.window for limit in LIMITS)

# Nobody reads the form, picks a category and a place and writes what happened in less.
MIN_FILL_SECONDS = 4

# A description a centre can act on.
DESCRIPTION_MIN_CHARS = 10
DESCRIPTION_MAX_CHARS = 2000


@dataclass(frozen=True)
class Decision:
    allowed: bool
    hits: tuple[float, ...]  # the admitted hits still inside the window, after this one
    retry_at: float | None = None  # when refused: the first moment an attempt is admitted


def recent(
    hits: tuple[float, ...] | list[float], now: float, window: timedelta
) -> tuple[float, ...]:
    """The hits still inside the window that ends now, oldest first. (A hit a little in
    the future, from a web worker whose clock runs ahead, still counts.)"""
    start = now - window.total_seconds()
    return tuple(sorted(t for t in hits if t > start))


def decide(hits: tuple[float, ...] | list[float], now: float, limit: Limit) -> Decision:
    """Admit an attempt at `now` when fewer than `limit.count` admitted hits lie in the
    window before it; otherwise refuse, naming when the oldest of them leaves the window."""
    kept = recent(hits, now, limit.window)
    if len(kept) < limit.count:
        return Decision(allowed=True, hits=(*kept, now))
    oldest_that_blocks = kept[len(kept) - limit.count]
    return Decision(
        allowed=False, hits=kept, retry_at=oldest_that_blocks + limit.window.total_seconds()
    )


# --- What a sender is, as the guard counts it ------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11}|\d{7,8})$")


def normalize_phone(raw: str) -> str | None:
    """A phone number as digits (mobile, landline with area code, or a local number), or
    None when it is not one. Full-width digits, spaces, dashes and +86 are accepted."""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text if _PHONE.match(text) else None


def network_of(ip: str) -> str:
    """The network a limit counts: an IPv4 address, or an IPv6 /64 (one household's line
    gets a whole /64, so one address each would be no limit at all)."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


_CODE_DASHES = re.compile(r"[\-‐‑‒–—―－_]")


def normalize_code(raw: str) -> str:
    """A tracking code as the resident typed it, made comparable: full-width characters,
    spaces and any kind of dash forgiven, letters upper-cased; `250101ABCDEF` works too."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    text = "".join(text.split())
    text = _CODE_DASHES.sub("-", text)
    if "-" not in text and len(text) == 12 and text[:6].isdigit():
        text = f"{text[:6]}-{text[6:]}"
    return text[:20]
