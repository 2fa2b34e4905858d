"""Forms for keeping a care file: visits, assessments, the plan, assistance, the team,
closing. They parse and say in Chinese what is missing; the services decide the rest
(a visit in the future, a level the programme does not have) and their errors are shown
on the same fields (zongzhi.core.forms.add_service_errors)."""

import uuid
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.models import User
from zongzhi.care import rules
from zongzhi.care.models import CareAssistance, CareFile, CareTeamMember, CareVisit
from zongzhi.core.forms import LONG_TEXT_MAX, NOTE_MAX, IsoDateField, text_field

CHOOSE = _("请选择")


def _required(label: Any, message: Any) -> dict[str, Any]:
    """A required field whose errors name it: left empty, or a value not offered."""
    return {"label": label, "error_messages": {"required": message, "invalid_choice": message}}


def _text(label: Any, *, message: Any = None, rows: int = 3, max_length: int = NOTE_MAX) -> Any:
    return text_field(
        label,
        required=message is not None,
        rows=rows,
        max_length=max_length,
        error_messages={"required": message} if message is not None else {},
    )


def _date(label: Any, *, message: Any = None, initial: Any = None) -> IsoDateField:
    """A date in the browser's calendar; the page bounds it (`bound_dates`), the service
    checks it."""
    return IsoDateField(
        label=label,
        required=message is not None,
        initial=initial,
        error_messages={
            "invalid": _("请填写有效的日期"),
            **({"required": message} if message is not None else {}),
        },
    )


def bound_dates(form: forms.Form, file: CareFile, **fields: str) -> None:
    """Tell the browser's calendar which days make sense for the file, as the services
    check them: `past` from the file's enrolment to today (what happened while it was
    kept), `future` from today on (what is still to be done)."""
    today = timezone.localdate()
    for name, kind in fields.items():
        field: Any = form.fields[name]
        if kind == "past":
            field.bounded(earliest=file.enrolled_on, latest=today)
        else:
            field.bounded(earliest=today)


class KeyedForm(forms.Form):
    """A form that creates a record: a key made when the form is shown lets a second
    sending of the same form be recognised."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class VisitForm(KeyedForm):
    visited_on = _date(_("走访日期"), message=_("请填写走访日期"), initial=timezone.localdate)
    method = forms.ChoiceField(
        choices=CareVisit.Method.choices,
        widget=forms.RadioSelect,
        initial=CareVisit.Method.HOME,
        **_required(_("走访方式"), _("请选择走访方式")),
    )
    seen = _text(_("走访情况"), message=_("请填写走访情况"), rows=4, max_length=LONG_TEXT_MAX)
    needs_raised = _text(_("提出的需求"), rows=2)
    follow_up = _text(_("后续跟进"), rows=2)


class AssessForm(forms.Form):
    """The levels are those of the visit rules in force today, each with its interval, so
    the worker sees what the level they choose means for the schedule."""

    level = forms.ChoiceField(
        widget=forms.RadioSelect, **_required(_("评估等级"), _("请选择评估等级"))
    )
    reasons = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        **_required(_("评估依据"), _("请至少选择一项评估依据")),
    )
    note = _text(_("评估说明"), rows=3)

    def __init__(self, *args: Any, file: CareFile, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("level", file.level)
        super().__init__(*args, **kwargs)
        in_force = file.prog.rules_on(today)
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            (
                rule.code,
                _("%(name)s：每%(days)s天至少走访一次")
                % {"name": rule.name, "days": rule.every_days},
            )
            for rule in in_force.levels
        ]
        self.fields["reasons"].choices = list(file.prog.level_reasons)  # type: ignore[attr-defined]


class PlanForm(KeyedForm):
    need = forms.CharField(max_length=200, **_required(_("需求"), _("请填写需求")))
    measure = _text(_("措施"), message=_("请填写措施"), rows=3)
    who = forms.CharField(max_length=100, **_required(_("落实人"), _("请填写落实人")))
    due_on = _date(_("完成时限"))


class AssistanceForm(KeyedForm):
    kind = forms.ChoiceField(
        choices=[("", CHOOSE), *CareAssistance.Kind.choices],
        **_required(_("救助类别"), _("请选择救助类别")),
    )
    amount = forms.DecimalField(
        label=_("金额（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": _("请填写有效的金额"),
            "min_value": _("金额不能为负数"),
            "max_digits": _("金额过大"),
            "max_decimal_places": _("金额最多保留两位小数"),
        },
    )
    granted_on = _date(_("发放日期"), message=_("请填写发放日期"), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj}（{obj.username}）"
            if obj.full_name and obj.full_name != obj.username
            else str(obj)
        )


# Who leads is changed on its own form; a new member takes any other duty.
MEMBER_DUTIES = [
    (v, label) for v, label in CareTeamMember.Duty.choices if v != CareTeamMember.Duty.LEAD
]


class AddMemberForm(KeyedForm):
    """A platform user who works in care here, or a named person without an account (a
    family member, a village doctor) with a phone number."""

    duty = forms.ChoiceField(
        choices=[("", CHOOSE), *MEMBER_DUTIES], **_required(_("职责"), _("请选择职责"))
    )
    user = UserChoiceField(
        label=_("平台用户"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("（不是平台用户）"),
        error_messages={"invalid_choice": _("该用户不在档案所在地从事特殊人群工作，不能加入")},
    )
    name = forms.CharField(label=_("姓名（非平台用户）"), max_length=50, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user, name = data.get("user"), (data.get("name") or "").strip()
        if self.has_error("user"):
            return data
        if user is None and not name:
            self.add_error("name", _("请选择平台用户，或填写非平台用户的姓名"))
        elif user is not None and name:
            self.add_error("name", _("已选择平台用户时不必填写姓名"))
        elif user is None and not (data.get("phone") or "").strip():
            self.add_error("phone", _("非平台用户请填写电话"))
        return data


class ChangeLeadForm(forms.Form):
    lead = UserChoiceField(
        queryset=User.objects.none(),
        empty_label=CHOOSE,
        **_required(_("新的包保责任人"), _("请选择新的包保责任人")),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = candidates  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    reason = forms.ChoiceField(**_required(_("结案原因"), _("请选择结案原因")))
    closed_on = _date(_("结案日期"), message=_("请填写结案日期"), initial=timezone.localdate)
    note = _text(_("结案说明"), rows=3)

    def __init__(self, *args: Any, programme: rules.Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", CHOOSE), *programme.closing_reasons]  # type: ignore[attr-defined]
