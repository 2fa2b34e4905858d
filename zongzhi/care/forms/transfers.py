"""Forms of the transfer pages: proposing a transfer, answering it, and the report's
place and period."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.models import User
from zongzhi.cases.forms import RegionField
from zongzhi.core.forms import IsoDateField, text_field
from zongzhi.regions.models import Region

# The longest period the report counts.
REPORT_MAX_DAYS = 366


def _note(label: Any, *, required: bool = False, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return text_field(label, required=required, rows=rows, **kwargs)


def grouped_places(places: Iterable[Region]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Villages and grids under their township (an <optgroup> each), a grid indented
    under its village. `places` come ordered by code, townships among them."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for place in places:
        if place.level == Region.Level.TOWNSHIP:
            groups.append((place.name, []))
        elif groups:
            indent = "\u3000" if place.level == Region.Level.GRID else ""
            groups[-1][1].append((place.pk, f"{indent}{place.name}"))
    return [(name, options) for name, options in groups if options]


class ProposeTransferForm(forms.Form):
    """发起转移: where the person moved to, and why."""

    to_region = forms.TypedChoiceField(
        label=_("转入地"),
        coerce=int,
        error_messages={
            "required": _("请选择转入地（村、社区或网格）"),
            "invalid_choice": _("请从列表中选择转入地"),
        },
    )
    new_address = forms.CharField(
        label=_("新住址"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("新住址不能超过200字")},
    )
    reason = _note(_("转移原因"), required=True, error_messages={"required": _("请填写转移原因")})

    def __init__(self, *args: Any, places: Iterable[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = list(places)
        self._places = {p.pk: p for p in places if p.level != Region.Level.TOWNSHIP}
        self.fields["to_region"].choices = [  # type: ignore[attr-defined]
            ("", _("请选择")),
            *grouped_places(places),
        ]

    def clean_to_region(self) -> Region:
        return self._places[self.cleaned_data["to_region"]]


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class AcceptTransferForm(forms.Form):
    """接收: the receiving place's own care team, led by one of its care workers."""

    lead = LeadChoiceField(
        label=_("包保责任人"),
        queryset=User.objects.none(),
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择包保责任人"),
            "invalid_choice": _("请从列表中选择包保责任人"),
        },
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = candidates  # type: ignore[attr-defined]


class DeclineTransferForm(forms.Form):
    """退回: why the receiving place does not take the file."""

    reason = _note(_("退回理由"), required=True, error_messages={"required": _("请填写退回理由")})


class TransferReportForm(forms.Form):
    """The report's place and period (sent by GET)."""

    region = RegionField(
        label=_("范围"),
        queryset=Region.objects.none(),
        to_field_name="code",
        empty_label=None,
        error_messages={"invalid_choice": _("请从列表中选择范围")},
    )
    start = IsoDateField(
        label=_("开始日期"),
        error_messages={"required": _("请填写开始日期"), "invalid": _("开始日期格式不正确")},
    )
    end = IsoDateField(
        label=_("结束日期"),
        error_messages={"required": _("请填写结束日期"), "invalid": _("结束日期格式不正确")},
    )

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("start")
        end: date | None = data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期"))
            elif (end - start).days > REPORT_MAX_DAYS:
                self.add_error("end", _("统计期间不能超过一年"))
        return data
