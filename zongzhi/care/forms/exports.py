"""The export form: which place, which programme, and why (a purpose is required)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.actors import Actor
from zongzhi.care import access, rules
from zongzhi.care.exports import export_regions
from zongzhi.ledgers.forms import RegionField
from zongzhi.regions.models import Region

CHOOSE = _("请选择")


class ExportForm(forms.Form):
    region = RegionField(label=_("范围"), queryset=Region.objects.none(), empty_label=None)
    programme = forms.ChoiceField(label=_("服务类别"), required=False)
    include_closed = forms.BooleanField(label=_("包含已结案的档案"), required=False)
    purpose = forms.ChoiceField(
        label=_("导出目的"),
        error_messages={"required": _("请选择导出目的"), "invalid_choice": _("请选择导出目的")},
    )
    purpose_note = forms.CharField(
        label=_("目的说明（向有关部门转介时必填：接收单位和依据）"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = export_regions(user)  # type: ignore[attr-defined]
        self.fields["region"].error_messages["required"] = _("请选择范围")
        self.fields["region"].error_messages["invalid_choice"] = _("只能导出您督导范围内的档案")
        self.fields["programme"].choices = [("", _("全部类别")), *rules.PROGRAMME_CHOICES]  # type: ignore[attr-defined]
        self.fields["purpose"].choices = [("", CHOOSE), *rules.PURPOSE_CHOICES]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purpose = data.get("purpose")
        if purpose:
            problem = access.purpose_error(purpose, data.get("purpose_note", ""))
            if problem:
                self.add_error("purpose_note", problem)
        return data
