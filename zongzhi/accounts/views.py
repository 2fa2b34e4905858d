from django.http import HttpRequest, HttpResponse


def tokens(request: HttpRequest) -> HttpResponse:  # TEMPORARY STUB: the API owner replaces it
    return HttpResponse("tokens")
