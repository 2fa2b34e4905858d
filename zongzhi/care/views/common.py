"""What every care page shares: fetching a file the reader may read (404 otherwise: a file
outside one's scope does not exist for them), and the stated purpose that opens a file's
sensitive sections for the rest of a working session."""

from datetime import datetime, timedelta
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone

from zongzhi.care import access, rules
from zongzhi.care.models import CareFile

_SESSION_KEY = "care_purposes"


def readable_file_or_404(request: HttpRequest, code: str, *related: str) -> CareFile:
    file = (
        access.readable_files(request.user)
        .select_related("region", *related)
        .filter(code=code)
        .first()
    )
    if file is None:
        raise Http404("没有这份档案，或您无权查阅")
    return file


def purpose_is_stated(request: HttpRequest, file: CareFile, now: datetime | None = None) -> bool:
    """Whether the sensitive sections are open: a purpose stated within PURPOSE_HOURS, or a
    file whose sections are not sensitive."""
    now = now or timezone.now()
    if not file.needs_purpose(timezone.localdate(now)):
        return True
    until = request.session.get(_SESSION_KEY, {}).get(str(file.pk))
    return bool(until) and datetime.fromisoformat(until) > now


def remember_purpose(request: HttpRequest, file: CareFile, now: datetime | None = None) -> None:
    now = now or timezone.now()
    purposes: dict[str, Any] = dict(request.session.get(_SESSION_KEY, {}))
    purposes[str(file.pk)] = (now + timedelta(hours=rules.PURPOSE_HOURS)).isoformat()
    request.session[_SESSION_KEY] = purposes
