import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext


class ChosenLanguageMiddleware:
    """Simplified Chinese unless the person chose another language on the page.

    Django's LocaleMiddleware would follow the browser's Accept-Language; office PCs
    often run English systems, and the product's first language is Chinese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# A NUL character, or a lone surrogate (which only a query string or path can smuggle in:
# form bodies are decoded with replacement, and Django's form fields refuse NUL already).
UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


class RefuseUnsafeTextMiddleware:
    """Refuse a path or query string holding a NUL or a lone surrogate with 400, before any
    view reads it: PostgreSQL cannot store or compare such text, so a view would otherwise
    fail with a server error. The REST API answers the same itself, in its JSON shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _unsafe(request):
            if request.path.startswith("/open311/"):
                message = "请求含有空字符或无效的Unicode字符"
                return JsonResponse([{"code": 400, "description": message}], safe=False, status=400)
            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)


def _unsafe(request: HttpRequest) -> bool:
    if UNSAFE_TEXT.search(request.path):
        return True
    return any(
        UNSAFE_TEXT.search(name) or any(UNSAFE_TEXT.search(v) for v in values)
        for name, values in request.GET.lists()
    )


LAST_SEEN = "zongzhi_last_seen"
# The last-seen time is written at most this often, so that reading pages does not write
# the session on every request.
_LAST_SEEN_STEP = 60


class IdleSessionTimeoutMiddleware:
    """Sign a person out after settings.ZONGZHI_IDLE_MINUTES without a request, beside the
    session's absolute age (SESSION_COOKIE_AGE): a phone or an office PC left signed in is
    not left open to the next person for a whole working day. The page they asked for then
    sends them to sign in again (LoginRequiredMiddleware, after this one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            idle = settings.ZONGZHI_IDLE_MINUTES * 60
            if isinstance(last_seen, int) and now - last_seen > idle:
                logout(request)
                messages.info(
                    request, gettext("您已较长时间未操作，为安全起见已退出，请重新登录。")
                )
            elif not isinstance(last_seen, int) or now - last_seen >= _LAST_SEEN_STEP:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def start_idle_clock(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """At sign-in (user_logged_in), so that the first page after it need not write the
    session."""
    if hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class RequestSizeMiddleware:
    """An over-large request is answered with a page that says the limits (413), in the
    API's error shape under /api/, instead of Django's bare 400 that keeps nothing.

    Two limits (config/settings.py): text — form fields and JSON bodies, held in memory —
    up to DATA_UPLOAD_MAX_MEMORY_SIZE; a request carrying files up to
    ZONGZHI_UPLOAD_MAX_BYTES in all (each file's own limit is checked by its owner). The
    body is read here, before any view, so the limit is met in one place; this runs its
    check before every middleware's process_view (CSRF reads the body there)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"POST", "PUT", "PATCH"}:
            try:
                self._read(request)
            except (RequestDataTooBig, TooManyFilesSent):
                return request_too_large(request)
        return self.get_response(request)

    def _read(self, request: HttpRequest) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data":
            if length > settings.ZONGZHI_UPLOAD_MAX_BYTES:
                raise RequestDataTooBig
            # Parsing now: text fields over DATA_UPLOAD_MAX_MEMORY_SIZE raise here.
            request.POST  # noqa: B018
        elif length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestDataTooBig


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def request_too_large(request: HttpRequest) -> HttpResponse:
    limits = {
        "text": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        "upload": _megabytes(settings.ZONGZHI_UPLOAD_MAX_BYTES),
    }
    message = (
        gettext("提交的内容太大：文字最多%(text)sMB，带附件的提交合计最多%(upload)sMB") % limits
    )
    if request.path.startswith(("/api/", "/open311/")):
        from zongzhi.api_errors import body

        with translation.override(settings.LANGUAGE_CODE):
            chinese = (
                gettext("提交的内容太大：文字最多%(text)sMB，带附件的提交合计最多%(upload)sMB")
                % limits
            )
        if request.path.startswith("/open311/"):
            # GeoReport's own error document, as the Open311 views answer every error.
            described = [{"code": 413, "description": chinese}]
            return JsonResponse(described, safe=False, status=413)
        return JsonResponse(body("too_large", chinese), status=413)
    return render(request, "request_too_large.html", {"message": message, **limits}, status=413)
