"""Signing in (slowed for password spraying), and the person's own API keys (接口密钥):
list, create (the key shown once), revoke.

Every write goes through zongzhi.accounts.tokens. A new key travels to the next page in
the session and is removed from it when shown, so reloading the page does not show it
again; only its digest is kept.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zongzhi.accounts.forms import LoginForm
from zongzhi.accounts.models import ApiToken
from zongzhi.accounts.selectors import login_failures_from
from zongzhi.accounts.tokens import issue_token, revoke_token
from zongzhi.core.http import client_address

_NEW_KEY = "accounts_new_api_key"


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    error = ""
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            token, key = issue_token(by=request.user, user=request.user, name=name)  # type: ignore[arg-type]
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            request.session[_NEW_KEY] = {"key": key, "name": token.name}
            return redirect("tokens")
    new = request.session.pop(_NEW_KEY, None)
    keys = ApiToken.objects.filter(user_id=request.user.pk or 0).order_by("-created_at", "-pk")
    response = render(
        request,
        "accounts/tokens.html",
        {"keys": keys, "new": new, "error": error, "name": name},
        status=400 if error else 200,
    )
    if new:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk or 0)
    revoke_token(by=request.user, token=token)
    messages.success(request, _("已停用密钥“%(name)s”") % {"name": token.name})
    return redirect("tokens")


class LoginView(auth_views.LoginView):
    """Django's sign-in, slowed for password spraying: django-axes locks an account from
    one address after a few failures; here an address that has failed many times across
    accounts within the cool-off is refused before any password is checked."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cooloff = timedelta(hours=settings.AXES_COOLOFF_TIME)
        since = timezone.now() - cooloff
        failures = login_failures_from(client_address(request), since=since)
        if failures >= settings.ZONGZHI_LOGIN_ADDRESS_FAILURES:
            response = render(
                request,
                "accounts/locked_out.html",
                {"cooloff_timedelta": cooloff, "by_address": True},
                status=429,
            )
            response["Retry-After"] = str(int(cooloff.total_seconds()))
            return response
        return super().post(request, *args, **kwargs)
