"""The GeoReport v2 endpoints. Thin: parse the parameters, call a selector or the one
service, write the answer in the suffix's format. Every failure is the standard's error
document in that format: 400 bad parameters, 403 a missing, wrong or powerless api_key,
404 an unknown service, request or token."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from zongzhi.accounts.tokens import count_write, token_for_key, user_for_key
from zongzhi.core.errors import KeyReused, RateLimited
from zongzhi.open311 import formats, rules, selectors, services

View = Callable[..., HttpResponse]


def _descriptions(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name}：{message}" if not str(message).startswith(name) else str(message)
            for name, errors in error.error_dict.items()
            for e in errors
            for message in e.messages
        ]
    return [str(m) for m in error.messages]


def endpoint(*methods: str) -> Callable[[View], View]:
    """A public Open311 view answering `methods`, its failures in the standard's shape."""

    def decorate(view: View) -> View:
        @login_not_required
        @csrf_exempt  # an API: the api_key is the credential, there is no session to forge
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = formats.errors(fmt, 405, [f"只接受 {', '.join(methods)} 请求"])
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except ValidationError as error:
                return formats.errors(fmt, 400, _descriptions(error))
            except PermissionDenied as error:
                return formats.errors(fmt, 403, [str(error) or "api_key 无效或无权进行该操作"])
            except (ObjectDoesNotExist, Http404) as error:
                return formats.errors(fmt, 404, [str(error) or "未找到"])
            except RateLimited as error:
                response = formats.errors(fmt, 429, [str(error)])
                response["Retry-After"] = str(error.retry_after)
                return response
            except KeyReused:
                key = request.headers.get("Idempotency-Key", "").strip()
                message = f"Idempotency-Key {key} 已用于另一份不同的报送内容；新的报送请换一个键"
                return formats.errors(fmt, 409, [message])

        return wrapped

    return decorate


def _reader(key: str | None) -> Any:
    """The client system calling with an api_key, or None for an anonymous reader."""
    if not key:
        return None
    user = user_for_key(key)
    if user is None:
        raise PermissionDenied("api_key 无效或已停用")
    return user


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery")).rsplit("/", 1)[0] + "/"
    data = {
        "changeset": rules.CHANGESET,
        "contact": "请联系本县（市、区）综治中心",
        "key_service": "接口密钥由平台管理员创建（manage.py open311_key 系统名称）",
        "endpoints": [
            {
                "specification": rules.SPECIFICATION,
                "url": base,
                "changeset": rules.CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return formats.respond(data, fmt, formats.DISCOVERY)


@endpoint("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return formats.respond(selectors.service_list(), fmt, formats.SERVICES)


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    try:
        definition = selectors.service_definition(code)
    except ObjectDoesNotExist as error:
        raise Http404(f"service_code {code} 不存在") from error
    return formats.respond(definition, fmt, formats.SERVICE_DEFINITION)


@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    reader = _reader(request.GET.get("api_key"))
    cases = selectors.requests_matching(selectors.filters_of(request.GET))
    return formats.respond(selectors.request_rows(cases, reader=reader), fmt, formats.REQUESTS)


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    record = token_for_key(request.POST.get("api_key", ""))
    if record is None:
        raise PermissionDenied("api_key 缺失、无效或已停用")
    count_write(record)
    client = record.user
    data = request.POST
    attributes = {
        name[len("attribute[") : -1]: data.get(name, "")
        for name in data
        if name.startswith("attribute[") and name.endswith("]")
    }
    posted = services.Posted(
        service_code=data.get("service_code", ""),
        lat=data.get("lat", ""),
        long=data.get("long", ""),
        address_string=data.get("address_string", ""),
        address_id=data.get("address_id", ""),
        attributes=attributes,
        description=data.get("description", ""),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        media_url=data.get("media_url", ""),
    )
    try:
        item = services.submit_request(
            client=client,
            posted=posted,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
    except ObjectDoesNotExist as error:
        raise Http404(f"service_code {posted.service_code} 不存在") from error
    return formats.respond([item], fmt, formats.REQUESTS)


@endpoint("GET")
def request_detail(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    reader = _reader(request.GET.get("api_key"))
    try:
        case = selectors.request_by_id(code)
    except ObjectDoesNotExist as error:
        raise Http404(f"service_request_id {code} 不存在") from error
    # A one-element list, as the standard's clients expect.
    return formats.respond(selectors.request_rows([case], reader=reader), fmt, formats.REQUESTS)


@endpoint("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    try:
        rows = selectors.token_rows(token)
    except ObjectDoesNotExist as error:
        raise Http404(f"token {token} 不存在") from error
    return formats.respond(rows, fmt, formats.REQUESTS)


@endpoint("GET")
def request_updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    rows = selectors.update_rows(selectors.window_of(request.GET))
    return formats.respond(rows, fmt, formats.UPDATES)
