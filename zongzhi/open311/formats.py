"""JSON and XML, as GeoReport v2 writes them. Every endpoint builds one JSON-shaped value;
`respond` writes it in the format the URL's suffix asks for. In XML a list becomes its
root element with one child per item (<services><service>…), a list inside an item
becomes a wrapper with one child per entry (<values><value>…), true/false are written in
lower case and a missing value is an empty element."""

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

JSON, XML = "json", "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}

# Root and item elements of each kind of document.
DISCOVERY = ("discovery", "")
SERVICES = ("services", "service")
SERVICE_DEFINITION = ("service_definition", "")
REQUESTS = ("service_requests", "request")
UPDATES = ("service_request_updates", "request_update")
ERRORS = ("errors", "error")

# The element of one entry of a list nested in an item.
_ENTRY = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = _ENTRY.get(element.tag, "item")
        for entry in value:
            _fill(ET.SubElement(element, tag), entry)
    else:
        element.text = _text(value)


def to_xml(data: Any, kind: tuple[str, str]) -> bytes:
    root_tag, item_tag = kind
    root = ET.Element(root_tag)
    if item_tag:
        for item in data:
            _fill(ET.SubElement(root, item_tag), item)
    else:
        _fill(root, data)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode()


def respond(data: Any, fmt: str, kind: tuple[str, str], *, status: int = 200) -> HttpResponse:
    body = to_xml(data, kind) if fmt == XML else json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The standard's error document: [{code, description}], code being the HTTP status."""
    data = [{"code": status, "description": d} for d in descriptions]
    return respond(data, fmt, ERRORS, status=status)
