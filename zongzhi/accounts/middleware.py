"""Sends a signed-in person who owes a second step to it before any page.

Which step a session owes is decided at sign-in (`remember_second_step`, on
user_logged_in) and kept in the session, so that ordinary pages cost no query for it:
"verify" (the person has an authenticator: a code at every sign-in), "enrol" (their role
requires one and they have none yet) or "none". A session that owes a step and has not
passed it is asked again each time (a device reset by an administrator since sign-in
turns "verify" into "enrol"). A role given after sign-in takes effect at the next sign-in.

Public pages (login_not_required: the login page, the portal, Open311) and the pages of
the second step itself pass. The REST API answers in JSON, not with a redirect: there a
session that owes its second step is not signed in (401), while an API key, which is no
session, works as before.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from zongzhi.accounts.models import User
from zongzhi.accounts.twofactor import has_two_factor, required_for

SECOND_STEP = "zongzhi_second_step"
VERIFY, ENROL, NONE = "verify", "enrol", "none"


def two_factor_exempt[F: Callable[..., Any]](view: F) -> F:
    """Mark a view reachable before the second step (signing out, the step itself)."""
    view.two_factor_exempt = True  # type: ignore[attr-defined]
    return view


def second_step_for(user: User) -> str:
    if has_two_factor(user):
        return VERIFY
    return ENROL if required_for(user) else NONE


def remember_second_step(request: HttpRequest, user: User) -> str:
    step = second_step_for(user)
    if hasattr(request, "session"):
        request.session[SECOND_STEP] = step
    return step


def on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """user_logged_in: decide the step this session owes."""
    if request is not None:
        remember_second_step(request, user)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or getattr(view_func, "two_factor_exempt", False):
            return None
        public = getattr(view_func, "login_required", True) is False
        if public and not request.path.startswith("/api/"):
            return None
        step = _owed(request, user)
        if step == NONE:
            return None
        if public:
            # An API operation: the session does not count; a key still does.
            request.user = AnonymousUser()
            return None
        name = "two_factor_verify" if step == VERIFY else "two_factor_enrol"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(name)}?{query}")


def _owed(request: HttpRequest, user: User) -> str:
    """The step this session still owes, NONE when passed or not needed."""
    step = request.session.get(SECOND_STEP)
    if step is None:  # a session from before this was deployed
        step = remember_second_step(request, user)
    if step == NONE or user.is_verified():  # type: ignore[attr-defined]
        return NONE
    return remember_second_step(request, user)
