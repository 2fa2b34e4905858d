from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "notifications"


def _stub(request: HttpRequest) -> HttpResponse:  # TEMPORARY STUB: the notifications owner replaces this module
    return HttpResponse("notifications")


urlpatterns = [path("preferences/", _stub, name="preferences")]
