"""Every change to a care file goes through `_change` (changes.py): it locks the file,
checks the actor against the file (its team, its supervisors), runs the change's writes and
appends the timeline entry, in one transaction. A refused or invalid change writes nothing.

Free text about the person (what a visit saw, the plan, reasons) lives in the records
that `deidentify_expired` blanks; the timeline only carries structured notes.
"""

from zongzhi.care.services.changes import REFUSED, ChangeContext, Member
from zongzhi.care.services.files import (
    NewFile,
    care_file_close,
    care_file_register,
    care_file_review_emergency,
    check_new_file,
    new_file_code,
)
from zongzhi.care.services.keeping import (
    care_file_add_assistance,
    care_file_add_plan_item,
    care_file_assess,
    care_file_complete_plan_item,
    care_file_record_visit,
)
from zongzhi.care.services.retention import deidentify_expired
from zongzhi.care.services.schedule import SweepResult, sweep_care
from zongzhi.care.services.team import (
    care_file_add_member,
    care_file_change_lead,
    care_file_remove_member,
)
from zongzhi.care.services.transfers import (
    care_file_accept_transfer,
    care_file_decline_transfer,
    care_file_propose_transfer,
)

__all__ = [
    "REFUSED",
    "ChangeContext",
    "Member",
    "NewFile",
    "SweepResult",
    "care_file_accept_transfer",
    "care_file_add_assistance",
    "care_file_add_member",
    "care_file_add_plan_item",
    "care_file_assess",
    "care_file_change_lead",
    "care_file_close",
    "care_file_complete_plan_item",
    "care_file_decline_transfer",
    "care_file_propose_transfer",
    "care_file_record_visit",
    "care_file_register",
    "care_file_remove_member",
    "care_file_review_emergency",
    "check_new_file",
    "deidentify_expired",
    "new_file_code",
    "sweep_care",
]
