"""Sign-in throttling beyond django-axes' own lock (one account from one address, after
AXES_FAILURE_LIMIT failures): an address that failed too often across accounts
(ZONGZHI_LOGIN_ADDRESS_FAILURES, password spraying) and an account that failed too often
across addresses (ZONGZHI_LOGIN_ACCOUNT_FAILURES, a guess spread over many addresses) are
refused within the cool-off before any password or code is checked. A wrong second-step
code counts as a failed sign-in of that account, so the same limits hold for codes."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zongzhi.accounts.selectors import login_failures_from, login_failures_of
from zongzhi.core.http import client_address


class Why(StrEnum):
    ADDRESS = "address"
    ACCOUNT = "account"
    # django-axes' own lock: this account from this address.
    ACCOUNT_HERE = "account_here"


@dataclass(frozen=True)
class Refusal:
    why: Why


def cooloff() -> timedelta:
    return timedelta(hours=settings.AXES_COOLOFF_TIME)


def refusal(request: HttpRequest, username: str) -> Refusal | None:
    """Why a sign-in (password or code) for `username` from this request's sender is refused
    now, or None. django-axes' own per-address lock is checked by its backend; here only
    when asked for a second-step code (`check_axes`)."""
    since = timezone.now() - cooloff()
    if login_failures_from(client_address(request), since=since) >= (
        settings.ZONGZHI_LOGIN_ADDRESS_FAILURES
    ):
        return Refusal(Why.ADDRESS)
    if username and login_failures_of(username, since=since) >= (
        settings.ZONGZHI_LOGIN_ACCOUNT_FAILURES
    ):
        return Refusal(Why.ACCOUNT)
    return None


def code_refusal(request: HttpRequest, username: str) -> Refusal | None:
    """As `refusal`, and django-axes' lock of this account from this address: for the
    second step, which no authentication backend guards."""
    found = refusal(request, username)
    if found is None and AxesProxyHandler.is_locked(request, {"username": username}):
        return Refusal(Why.ACCOUNT_HERE)
    return found


def count_failure(request: HttpRequest, username: str) -> None:
    """A wrong second-step code: recorded by django-axes like a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def refused_response(request: HttpRequest, found: Refusal) -> HttpResponse:
    wait = cooloff()
    response = render(
        request,
        "accounts/locked_out.html",
        {
            "cooloff_timedelta": wait,
            "by_address": found.why == Why.ADDRESS,
            "by_account": found.why == Why.ACCOUNT,
        },
        status=429,
    )
    response["Retry-After"] = str(int(wait.total_seconds()))
    return response
