from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "open311"


@login_not_required
def _stub(request: HttpRequest) -> HttpResponse:  # TEMPORARY STUB: the Open311 owner replaces this module
    return HttpResponse("open311")


urlpatterns = [path("discovery.json", _stub, name="discovery")]
