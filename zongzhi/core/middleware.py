from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
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
    if request.path.startswith("/api/"):
        from zongzhi.api_errors import body

        with translation.override(settings.LANGUAGE_CODE):
            chinese = (
                gettext("提交的内容太大：文字最多%(text)sMB，带附件的提交合计最多%(upload)sMB")
                % limits
            )
        return JsonResponse(body("too_large", chinese), status=413)
    return render(request, "request_too_large.html", {"message": message, **limits}, status=413)
