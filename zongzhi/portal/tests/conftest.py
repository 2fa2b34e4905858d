"""What the portal tests share: a filled-in request form, and a resident's browser."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast
from zongzhi.portal import services

PHONE = "13900001111"


def ticket(seconds_ago: float = 60) -> str:
    """A form ticket as the page hands it out, shown `seconds_ago`."""
    return services.new_ticket(now=timezone.now() - timedelta(seconds=seconds_ago))


def form_data(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ticket": ticket(),
        "category": Category.objects.get(code="LLJF01").pk,
        "township": cast.places.t1.pk,
        "village": cast.places.v1.pk,
        "address": "右所社区3组",
        "description": "楼上邻居每天夜里十二点以后还在装修，敲打声很大，多次敲门沟通无果。",
        "people_count": "1",
        "name": "王芳",
        "phone": PHONE,
        "homepage": "",
    }
    data.update(overrides)
    return data


def submit(client: Client, data: dict[str, Any], ip: str = "10.0.0.1") -> Any:
    return client.post("/portal/", data, REMOTE_ADDR=ip)


def submitted_case(cast: Cast, client: Client | None = None, **overrides: Any) -> Case:
    """A request made through the portal, as a resident makes it."""
    ip = overrides.pop("ip", "10.9.9.9")
    data = form_data(cast, **overrides)
    response = submit(client or Client(), data, ip=ip)
    assert response.status_code == 302, response.content.decode()[:2000]
    key = services.read_ticket(data["ticket"])
    assert key is not None
    return Case.objects.get(idempotency_key=key.key)


@pytest.fixture
def resident() -> Client:
    return Client()
