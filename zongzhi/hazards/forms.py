"""Forms for the hazard pages: the register form and one small form per step."""

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zongzhi.cases.forms import GroupedCategoryField, RegionField, UnitChoiceField
from zongzhi.categories.models import Category
from zongzhi.core.forms import LONG_TEXT_MAX, NOTE_MAX, IsoDateField, text_field
from zongzhi.hazards import rules
from zongzhi.hazards.models import Hazard, HazardMeasure
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

# Django's own empty choice reads "- Select an option -"; the page is Chinese first.
CHOOSE = _("请选择")


def _note(
    label: Any, *, required: bool = False, rows: int = 2, max_length: int = NOTE_MAX
) -> forms.CharField:
    return text_field(label, required=required, rows=rows, max_length=max_length)


def _date(label: Any, *, required: bool = True, **kwargs: Any) -> IsoDateField:
    """A date in the browser's calendar; the page bounds it (`bounded`), the service
    checks it."""
    return IsoDateField(label=label, required=required, **kwargs)


def review_days_hint() -> str:
    """The default review interval of each level, as the form shows it."""
    return "、".join(
        f"{label}{rules.REVIEW_DAYS[value]}天" for value, label in reversed(Hazard.Level.choices)
    )


class RegisterForm(forms.Form):
    """登记风险隐患. The fields a grid worker fills on a phone first, the rest below."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    category = GroupedCategoryField(
        label=_("隐患类别"),
        empty_label=CHOOSE,
        queryset=Category.objects.filter(parent__isnull=False, is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "sort_order", "code"),
    )
    title = forms.CharField(label=_("隐患名称"), max_length=100)
    description = _note(_("隐患描述"), required=True, rows=4, max_length=LONG_TEXT_MAX)
    region = RegionField(label=_("所在地"), queryset=Region.objects.none(), empty_label=CHOOSE)
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1, initial=1)
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    level = forms.ChoiceField(label=_("风险等级"), choices=Hazard.Level.choices, initial="low")
    level_reasons = _note(_("定级理由（高、重大必填）"))
    responsible_unit = UnitChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none(), empty_label=CHOOSE
    )
    guardian_name = forms.CharField(label=pgettext_lazy("hazard", "包保责任人"), max_length=50)
    guardian_phone = forms.CharField(label=_("包保责任人电话"), max_length=30, required=False)
    discovered_on = _date(_("发现日期"), initial=timezone.localdate)
    review_every_days = forms.IntegerField(
        label=_("复查周期（天）"), min_value=1, max_value=366, required=False
    )

    def __init__(self, *args: Any, regions: Any, units: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        # Choosing the place reloads the units that may answer for it (htmx).
        self.fields["region"].widget.attrs.update(
            {
                "hx-get": reverse("hazards:units"),
                "hx-trigger": "change",
                "hx-target": "#id_responsible_unit",
                "hx-swap": "outerHTML",
            }
        )
        self.fields["responsible_unit"].queryset = units  # type: ignore[attr-defined]
        discovered: Any = self.fields["discovered_on"]
        discovered.bounded(latest=timezone.localdate())  # found, so not after today
        self.fields["review_every_days"].help_text = _("不填按风险等级：%(days)s") % {
            "days": review_days_hint()
        }
        # The interval the chosen level gives, shown in the empty field (and kept in step
        # with the level by the page's script).
        level = self["level"].value()
        default = rules.REVIEW_DAYS.get(level if isinstance(level, str) else "", None)
        self.fields["review_every_days"].widget.attrs["placeholder"] = (
            str(default) if default else ""
        )
        self.fields["level"].widget.attrs["data-review-days"] = ",".join(
            f"{level}:{days}" for level, days in rules.REVIEW_DAYS.items()
        )


class MeasureForm(forms.Form):
    content = _note(_("措施内容"), required=True, rows=3)
    owner = forms.CharField(label=_("落实人"), max_length=50)
    due_on = _date(_("完成时限"))

    def __init__(self, *args: Any, hazard: Hazard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        due: Any = self.fields["due_on"]
        due.bounded(earliest=hazard.discovered_on)  # as the service checks it


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.content}（{obj.owner}，{obj.due_on:%Y-%m-%d}）"


class MeasureDoneForm(forms.Form):
    measure = MeasureChoiceField(
        label=_("措施"), queryset=HazardMeasure.objects.none(), empty_label=None
    )
    note = _note(_("落实情况"))

    def __init__(self, *args: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    finding = _note(_("复查情况"), required=True, rows=3, max_length=LONG_TEXT_MAX)
    level = forms.ChoiceField(label=_("复查后风险等级"), choices=Hazard.Level.choices)
    level_reasons = _note(_("定级理由（高、重大必填；等级不变可不填）"))
    next_review_on = _date(_("下次复查日期"), required=False)

    def __init__(self, *args: Any, hazard: Hazard, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("level", hazard.level)
        super().__init__(*args, **kwargs)
        following: Any = self.fields["next_review_on"]
        following.bounded(earliest=timezone.localdate() + timedelta(days=1))
        self.fields["next_review_on"].help_text = _("不填则按等级的复查周期顺延（%(days)s）") % {
            "days": review_days_hint()
        }


class ReassignForm(forms.Form):
    responsible_unit = UnitChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none(), empty_label=CHOOSE
    )
    guardian_name = forms.CharField(label=pgettext_lazy("hazard", "包保责任人"), max_length=50)
    guardian_phone = forms.CharField(label=_("包保责任人电话"), max_length=30, required=False)
    reason = _note(_("调整原因"), required=True)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    note = _note(_("化解情况"), required=True, rows=3)


class EliminateForm(forms.Form):
    note = _note(_("消除情况"), required=True, rows=3)


class EscalateForm(forms.Form):
    applicant_name = forms.CharField(label=_("反映人或当事人"), max_length=100)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    note = _note(_("转为事项的说明"))
