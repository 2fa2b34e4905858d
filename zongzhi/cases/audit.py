"""What the audit log keeps about cases: reads of a case's parties by people outside its
units (a leader, a centre's officer reading by their region; another unit's member)."""

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import grants_of
from zongzhi.cases.models import Case
from zongzhi.core import audit


def outside_its_units(user: Actor, case: Case) -> bool:
    """Whether `user` reads `case` from outside the units on it (lead and assisting). The
    person who registered it typed the parties in and is not counted as outside."""
    if getattr(user, "pk", None) is None or case.registered_by_id == user.pk:
        return False
    units = set(case.unit_ids())
    if case.lead_unit_id is not None:
        units.add(case.lead_unit_id)
    mine = {g.unit_id for g in grants_of(user) if g.unit_id is not None}
    return not units & mine


def note_party_read(user: Actor, case: Case, where: str) -> None:
    """Record a read of the parties from outside the case's units: once a day per person
    and case (an officer opens a case many times), by the case's code only."""
    if outside_its_units(user, case):
        audit.record_daily(user, audit.Kind.PARTY_READ, f"事项 {case.code}", where)
