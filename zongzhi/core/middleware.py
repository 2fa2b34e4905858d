import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation


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
