"""Who a service acts for: the one type every service's `by` has.

Three kinds of actor pass through the services: a person (`User`), another system calling
with its API key (a `User` holding Role.CLIENT_SYSTEM, zongzhi.accounts.tokens), and a
named actor that is no person: `SYSTEM` for management commands and scheduled tasks, and a
`PublicActor` for a public door (the resident portal) that has made its own check first.
`Actor` is what the services and the permission checks read of any of them, and nothing
more: `pk` (None when no person acts), `is_authenticated`, `is_active`, `is_superuser`,
and its name (`str(actor)`, what a timeline records).
"""

from dataclasses import dataclass
from typing import Protocol

from zongzhi.accounts.rules import UNIT_WORK, Action, Target


class Actor(Protocol):
    @property
    def pk(self) -> int | None: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    def __str__(self) -> str: ...


class SystemActor:
    """The actor for management commands and scheduled tasks: whoever runs the server.

    It passes every permission check; services record it by its name ("系统") in
    timelines.
    """

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    username = "system"

    def __init__(self, name: str = "系统") -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


SYSTEM = SystemActor()


@dataclass(frozen=True)
class PublicActor:
    """A public door acting after its own check (the resident holds the tracking code):
    it holds exactly `actions`, over the regions under `region_prefix` ("" for all), and
    nothing else — no role, no unit, no record it was not given an action for. The
    permission checks (zongzhi.accounts.permissions) honour `actions` and nothing else."""

    name: str
    actions: frozenset[Action]
    region_prefix: str = ""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = False

    def __post_init__(self) -> None:
        # A unit's own work is done from inside the unit; no public door does it.
        if self.actions & UNIT_WORK:
            raise ValueError(f"{self.name} cannot hold a unit's work")

    def __str__(self) -> str:
        return self.name

    def allows(self, action: Action, target: Target) -> bool:
        return action in self.actions and target.region_prefix.startswith(self.region_prefix)
