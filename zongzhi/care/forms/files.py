"""Forms for the file pages: enrolment, the stated purpose, emergency access and its
review. The services validate what the law says; these forms parse and name the field."""

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zongzhi.care import access, rules
from zongzhi.care.models import CareFile
from zongzhi.cases.forms import RegionField
from zongzhi.core.forms import IsoDateField, text_field
from zongzhi.regions.models import Region

CHOOSE = _("请选择")


def _note(label: Any, *, required: bool = False, rows: int = 2, **kwargs: Any) -> forms.CharField:
    return text_field(label, required=required, rows=rows, **kwargs)


def _date(label: Any, *, required: bool = False, **kwargs: Any) -> IsoDateField:
    return IsoDateField(
        label=label,
        required=required,
        error_messages={"invalid": _("请输入有效的日期")},
        **kwargs,
    )


def _required(message: Any) -> dict[str, Any]:
    return {"required": message}


class NoEchoInput(forms.TextInput):
    """A text input that never sends back what was typed (an identity number looked up
    must not come back in the page)."""

    def format_value(self, value: Any) -> str | None:
        return None


def _level_value(programme: str, level: str) -> str:
    return f"{programme}:{level}"


class EnrolForm(forms.Form):
    """建档: the person, the enrolment and the first assessment. The level and its reasons
    are offered for every programme, grouped; the page's script shows only the chosen
    programme's (the form still works, and checks, without it)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    programme = forms.ChoiceField(
        label=_("服务类别"),
        choices=[("", CHOOSE), *rules.PROGRAMME_CHOICES],
        error_messages={**_required(_("请选择服务类别")), "invalid_choice": _("请选择服务类别")},
    )
    person_name = forms.CharField(
        label=_("姓名"), max_length=50, error_messages=_required(_("请填写姓名"))
    )
    gender = forms.ChoiceField(
        label=_("性别"), choices=[("", CHOOSE), *CareFile.Gender.choices], required=False
    )
    identity_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": _("身份证号码应为18位")},
    )
    birth_date = _date(_("出生日期"))
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    region = RegionField(
        label=_("现居住地"),
        queryset=Region.objects.none(),
        empty_label=CHOOSE,
        error_messages={
            **_required(_("请选择现居住地")),
            "invalid_choice": _("请选择现居住地"),
        },
    )
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    guardian_name = forms.CharField(label=_("监护人"), max_length=50, required=False)
    guardian_relation = forms.CharField(label=_("与本人关系"), max_length=20, required=False)
    guardian_phone = forms.CharField(label=_("监护人电话"), max_length=30, required=False)
    enrolled_on = _date(_("纳入管理日期"), initial=timezone.localdate)
    expected_end_on = _date(_("预计结束日期"))
    programme_note = _note(_("服务管理情况"))
    level = forms.ChoiceField(
        label=_("评估等级"),
        choices=(),
        error_messages={**_required(_("请选择评估等级")), "invalid_choice": _("请选择评估等级")},
    )
    level_reasons = forms.MultipleChoiceField(
        label=_("评估依据"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            **_required(_("请至少选择一项评估依据")),
            "invalid_choice": _("请至少选择一项评估依据"),
        },
    )
    assessment_note = _note(_("评估说明"))

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            ("", CHOOSE),
            *(
                (
                    p.name,
                    [(_level_value(p.code, r.code), r.name) for r in p.rules_on(today).levels],
                )
                for p in rules.PROGRAMMES.values()
            ),
        ]
        self.fields["level_reasons"].choices = [  # type: ignore[attr-defined]
            (_level_value(p.code, code), name)
            for p in rules.PROGRAMMES.values()
            for code, name in p.level_reasons
        ]
        # Born and enrolled by today, as the service checks; the end is after enrolment.
        for name in ("birth_date", "enrolled_on"):
            field: Any = self.fields[name]
            field.bounded(latest=today)
        self.fields["birth_date"].help_text = _("无身份证号码的儿童须填写；有号码时按号码")
        self.fields["guardian_name"].help_text = _("未成年人和严重精神障碍患者必填")

    def reason_groups(self) -> list[dict[str, Any]]:
        """The level reasons as the page shows them: one group per programme."""
        chosen = set(self["level_reasons"].value() or [])
        return [
            {
                "programme": p.code,
                "name": p.name,
                "reasons": [
                    {
                        "value": _level_value(p.code, code),
                        "label": name,
                        "checked": _level_value(p.code, code) in chosen,
                    }
                    for code, name in p.level_reasons
                ],
            }
            for p in rules.PROGRAMMES.values()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        programme = data.get("programme")
        if not programme:
            return data
        prefix = f"{programme}:"
        level = data.get("level")
        if level:
            if level.startswith(prefix):
                data["level"] = level.removeprefix(prefix)
            else:
                self.add_error("level", _("所选等级不属于该服务类别"))
        reasons = data.get("level_reasons")
        if reasons:
            if all(r.startswith(prefix) for r in reasons):
                data["level_reasons"] = [r.removeprefix(prefix) for r in reasons]
            else:
                self.add_error("level_reasons", _("所选评估依据不属于该服务类别"))
        return data


class PurposeForm(forms.Form):
    """说明查阅目的: for a file's sensitive sections, or its full identity number."""

    purpose = forms.ChoiceField(
        label=_("查阅目的"),
        choices=[("", CHOOSE), *rules.PURPOSE_CHOICES],
        error_messages={**_required(_("请选择查阅目的")), "invalid_choice": _("请选择查阅目的")},
    )
    purpose_note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        help_text=_("向有关部门转介须写明接收单位和依据"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "purpose" in data:
            problem = access.purpose_error(data["purpose"], data.get("purpose_note", ""))
            if problem:
                self.add_error("purpose_note", problem)
        return data


class EmergencyForm(forms.Form):
    """紧急查阅: the file is found by its code or the identity number only (no browsing)."""

    lookup = forms.CharField(
        label=_("档案编号或身份证号码"),
        max_length=30,
        widget=NoEchoInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages=_required(_("请填写档案编号或身份证号码")),
    )
    reason = _note(
        _("紧急查阅理由"),
        required=True,
        rows=3,
        error_messages=_required(_("请写明紧急查阅的理由")),
    )


class ReviewForm(forms.Form):
    """复核紧急查阅."""

    emergency = forms.IntegerField(widget=forms.HiddenInput)
    note = _note(_("复核意见"), required=True, error_messages=_required(_("请填写复核意见")))
