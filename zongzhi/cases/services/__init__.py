"""Every write to a case. Each public service is one step of the state machine and goes
through `_take_step`, the one place that locks the case, asks `rules.refusal` whether the
step may be taken (its status, the actor's scope and unit, its precondition — the answer
the case page offers its forms by), runs the step's own input checks and writes, and
appends the timeline entry — all in one transaction. A refused step raises
`core.errors.Refused`, `PermissionDenied` or `ValidationError` and leaves everything as it was.
"""

from zongzhi.cases.services.attachments import case_attach, thumbnail_of
from zongzhi.cases.services.centre import (
    case_accept,
    case_archive,
    case_dispatch,
    case_escalate,
    case_merge,
    case_reject,
    case_relate,
    case_transfer,
    case_visit,
    case_whistle,
    suggested_unit,
)
from zongzhi.cases.services.correction import (
    PartyDetails,
    case_add_party,
    case_correct,
    case_edit_party,
    case_remove_party,
)
from zongzhi.cases.services.intake import (
    NewCase,
    NewParty,
    case_register,
    case_register_from_form,
    case_register_idempotent,
    centre_for,
    headline,
    policy_for,
    recent_duplicate,
    refresh_search_text,
    request_digest,
)
from zongzhi.cases.services.mediation import case_make_agreement, case_record_session
from zongzhi.cases.services.supervision import (
    SweepReport,
    case_grant_extension,
    case_refuse_extension,
    case_supervise,
    sweep_deadlines,
)
from zongzhi.cases.services.unit import (
    case_answer_supervision,
    case_answer_whistle,
    case_close,
    case_pause,
    case_record_progress,
    case_request_extension,
    case_resume,
    case_return,
    case_start,
)

__all__ = [
    "NewCase",
    "NewParty",
    "PartyDetails",
    "SweepReport",
    "case_accept",
    "case_add_party",
    "case_answer_supervision",
    "case_answer_whistle",
    "case_archive",
    "case_attach",
    "case_close",
    "case_correct",
    "case_dispatch",
    "case_edit_party",
    "case_escalate",
    "case_grant_extension",
    "case_make_agreement",
    "case_merge",
    "case_pause",
    "case_record_progress",
    "case_record_session",
    "case_refuse_extension",
    "case_register",
    "case_register_from_form",
    "case_register_idempotent",
    "case_reject",
    "case_relate",
    "case_remove_party",
    "case_request_extension",
    "case_resume",
    "case_return",
    "case_start",
    "case_supervise",
    "case_transfer",
    "case_visit",
    "case_whistle",
    "centre_for",
    "headline",
    "policy_for",
    "recent_duplicate",
    "refresh_search_text",
    "request_digest",
    "suggested_unit",
    "sweep_deadlines",
    "thumbnail_of",
]
