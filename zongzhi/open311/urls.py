"""GeoReport v2 under /open311/v2/: every resource with a .json or .xml suffix, as the
standard's clients call it (/open311/v2/services.json)."""

from django.urls import path, register_converter

from zongzhi.open311 import views

app_name = "open311"


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CodeConverter:
    """A service code, request id or token: no dot (the dot starts the suffix)."""

    regex = "[^/.]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_fmt")
register_converter(CodeConverter, "open311_id")

urlpatterns = [
    path("discovery.json", views.discovery, {"fmt": "json"}, name="discovery"),
    path("discovery.xml", views.discovery, {"fmt": "xml"}, name="discovery_xml"),
    path("services.<open311_fmt:fmt>", views.service_list, name="services"),
    path(
        "services/<open311_id:code>.<open311_fmt:fmt>",
        views.service_definition,
        name="service_definition",
    ),
    path("requests.<open311_fmt:fmt>", views.requests, name="requests"),
    path("requests/<open311_id:code>.<open311_fmt:fmt>", views.request_detail, name="request"),
    path("tokens/<open311_id:token>.<open311_fmt:fmt>", views.token, name="token"),
    path("servicerequestupdates.<open311_fmt:fmt>", views.request_updates, name="request_updates"),
]
