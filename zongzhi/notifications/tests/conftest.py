"""Notification fixtures: the cast with e-mail addresses, units with robots, and a real
HTTP server on 127.0.0.1 playing the group robot."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast, make_user
from zongzhi.notifications import services
from zongzhi.notifications.models import UnitWebhook
from zongzhi.notifications.rules import Event
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Robot:
    """A group robot on this machine: answers each POST with the next scripted reply
    (the last one repeats) and keeps what it received."""

    url: str
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def script(self, *replies: tuple[int, dict[str, Any]]) -> None:
        self.replies[:] = list(replies)


@pytest.fixture
def robot() -> Iterator[Robot]:
    state = Robot(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            with lock:
                state.received.append(Received(self.path, dict(self.headers), body))
                status, answer = (
                    (state.replies.pop(0) if len(state.replies) > 1 else state.replies[0])
                    if state.replies
                    else (200, {"errcode": 0, "errmsg": "ok"})
                )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=secret-key"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Crew:
    """The cast with addresses, and the people and units notifications are about."""

    cast: Cast
    intake: User  # t1's intake officer (at the centre's region): takes the centre's steps
    handler: User  # t1 station
    handler2: User  # t1 station, a second person
    mediator: User  # v1 committee (a co-unit on dispatch)
    leader: User  # t1's leader
    county_handler: User  # the county bureau (summoned on a whistle)
    t2_handler: User  # t2's station: another township, never told anything here
    village_intake: User  # an intake officer at a village under t1: not at the centre
    centre_unit: Unit  # t1's 综治中心 unit, whose robot hears the centre's events
    everyone: list[User]

    def hook(self, unit: Unit, url: str, kind: str = "generic", **kw: Any) -> UnitWebhook:
        return services.webhook_save(
            by=SYSTEM,
            unit=unit,
            kind=kind,
            url=url,
            events=kw.pop("events", [str(e) for e in Event]),
            **kw,
        )


@pytest.fixture
def crew(cast: Cast) -> Crew:
    u = cast.units
    people = {
        "intake": cast.by_role[Role.INTAKE_OFFICER],
        "handler": cast.by_role[Role.UNIT_HANDLER],
        "handler2": make_user("t1_police2", Role.UNIT_HANDLER, unit=u.t1_station),
        "mediator": cast.by_role[Role.MEDIATOR],
        "leader": cast.by_role[Role.LEADER],
        "county_handler": make_user("county_hr", Role.UNIT_HANDLER, unit=u.county_bureau),
        "t2_handler": make_user("t2_police", Role.UNIT_HANDLER, unit=u.t2_station),
        "village_intake": make_user("v1_intake", Role.INTAKE_OFFICER, region=cast.places.v1),
    }
    everyone = [*people.values(), cast.outsider, *cast.by_role.values()]
    for user in everyone:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    centre_unit = unit_create(
        by=SYSTEM, name="宁州街道综治中心", kind=Unit.Kind.CENTRE, region=cast.places.t1
    )
    return Crew(cast=cast, centre_unit=centre_unit, everyone=everyone, **people)


class Clock:
    """timezone.now, set by the test (the deadline sweep reads the date from it)."""

    def __init__(self) -> None:
        self.now = datetime.combine(date(2026, 3, 2), time(10), SHANGHAI)

    def set(self, day: date) -> None:
        self.now = datetime.combine(day, time(10), SHANGHAI)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c
