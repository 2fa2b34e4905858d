from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "portal"


@login_not_required
def _stub(request: HttpRequest) -> HttpResponse:  # TEMPORARY STUB: the portal's owner replaces this module
    return HttpResponse("portal")


urlpatterns = [path("", _stub, name="index")]
