"""Sending a stored file to the one person who may read it."""

from typing import IO
from urllib.parse import quote

from django.http import FileResponse


def file_response(
    stream: IO[bytes], *, content_type: str, filename: str, inline: bool
) -> FileResponse:
    """The file as its checked type, never sniffed into anything else by the browser,
    never kept in a shared cache. `filename` names the download (empty: none)."""
    response = FileResponse(stream, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    if filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    # Whatever the file holds, it runs nothing and loads nothing in this site's name.
    if not content_type.startswith("application/pdf"):
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
        )
    return response
