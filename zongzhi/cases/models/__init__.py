"""The case register, split by what the tables are for."""

from zongzhi.cases.models.case import Assignment, Attachment, Case, CaseEvent, Party
from zongzhi.cases.models.mediation import MediationAgreement, MediationSession
from zongzhi.cases.models.policy import DeadlinePolicy, RoutingRule
from zongzhi.cases.models.work import (
    ClockPause,
    DeadlineAlert,
    ExtensionRequest,
    Summons,
    SupervisionOrder,
)

__all__ = [
    "Assignment",
    "Attachment",
    "Case",
    "CaseEvent",
    "ClockPause",
    "DeadlineAlert",
    "DeadlinePolicy",
    "ExtensionRequest",
    "MediationAgreement",
    "MediationSession",
    "Party",
    "RoutingRule",
    "Summons",
    "SupervisionOrder",
]
