"""Signing in (slowed for password spraying) and its second step (两步验证), the
person's 账号安全 page (password change, authenticator, recovery codes), and their own API
keys (接口密钥): list, create (the key shown once), revoke.

Every write goes through zongzhi.accounts.tokens. A new key travels to the next page in
the session and is removed from it when shown, so reloading the page does not show it
again; only its digest is kept.
"""

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from zongzhi.accounts import throttle, twofactor
from zongzhi.accounts.forms import LoginForm, PasswordChangeForm
from zongzhi.accounts.middleware import remember_second_step, two_factor_exempt
from zongzhi.accounts.models import ApiToken, User
from zongzhi.accounts.passwords import change_password
from zongzhi.accounts.tokens import issue_token, revoke_token

_NEW_KEY = "accounts_new_api_key"
_NEW_CODES = "accounts_new_recovery_codes"
_AFTER_CODES = "accounts_after_recovery_codes"
_SECURITY_ERROR = "accounts_security_error"


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
    accounts, or an account that has failed many times across addresses, within the
    cool-off is refused before any password is checked (zongzhi.accounts.throttle)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = throttle.refusal(request, request.POST.get("username", ""))
        if found is not None:
            return throttle.refused_response(request, found)
        return super().post(request, *args, **kwargs)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """The person's own password: the old one, then the new one twice."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_password(request, form)
        messages.success(request, _("密码已修改。您在其他设备上的登录已退出。"))
        return redirect("security")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "min_length": settings.ZONGZHI_PASSWORD_MIN_LENGTH},
        status=400 if form.errors else 200,
    )


@require_GET
def security(request: HttpRequest) -> HttpResponse:
    """账号安全: the password, and two-factor sign-in."""
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/security.html",
        {
            "has_two_factor": twofactor.has_two_factor(user),
            "required": twofactor.required_for(user),
            "codes_left": twofactor.recovery_codes_left(user),
            "error": request.session.pop(_SECURITY_ERROR, ""),
        },
    )


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[_NEW_CODES] = codes
    return redirect("recovery_codes")


@two_factor_exempt
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: scan the QR code (or type the secret), confirm one code."""
    user: User = request.user  # type: ignore[assignment]
    if twofactor.has_two_factor(user):
        return redirect(_next_url(request) if user.is_verified() else "two_factor_verify")  # type: ignore[attr-defined]
    error = ""
    if request.method == "POST":
        try:
            codes = twofactor.confirm_enrolment(request, request.POST.get("code", ""))
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            remember_second_step(request, user)
            messages.success(request, _("两步验证已启用。"))
            request.session[_AFTER_CODES] = _next_url(request)
            return _show_codes(request, codes)
    device = twofactor.pending_authenticator(user)
    uri = twofactor.otpauth_uri(device)
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    response = render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "qr": mark_safe(qr),  # noqa: S308 -- segno's own SVG of our own URI
            "secret": twofactor.secret_text(device),
            "uri": uri,
            "required": twofactor.required_for(user),
            "error": error,
            "next": _next_url(request),
        },
        status=400 if error else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@two_factor_exempt
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    user: User = request.user  # type: ignore[assignment]
    if user.is_verified() or not twofactor.has_two_factor(user):  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    username = user.get_username()
    found = throttle.code_refusal(request, username)
    error = ""
    if found is None and request.method == "POST":
        try:
            device = twofactor.verify(request, request.POST.get("code", ""))
        except ValidationError as e:
            error = " ".join(e.messages)
            found = throttle.code_refusal(request, username)
        else:
            if isinstance(device, StaticDevice):
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _("您用了一个恢复码，还剩 %(n)d 个。可在“账号安全”重新生成。") % {"n": left},
                )
            return redirect(_next_url(request))
    if found is not None:
        # Locked like a password that was guessed: this session ends too.
        logout(request)
        return throttle.refused_response(request, found)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once (reloading the page does not show them again)."""
    codes = request.session.pop(_NEW_CODES, None)
    if not codes:
        return redirect("security")
    after = request.session.pop(_AFTER_CODES, "") or reverse("security")
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "after": after})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    try:
        codes = twofactor.regenerate_recovery_codes(request, request.POST.get("code", ""))
    except ValidationError as e:
        return _security_error(request, e)
    return _show_codes(request, codes)


@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    try:
        twofactor.remove(request, request.POST.get("code", ""))
    except ValidationError as e:
        return _security_error(request, e)
    messages.success(request, _("两步验证已停用。"))
    return redirect("security")


def _security_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    found = throttle.code_refusal(request, request.user.get_username())
    if found is not None:
        logout(request)
        return throttle.refused_response(request, found)
    request.session[_SECURITY_ERROR] = " ".join(error.messages)
    return redirect("security")
