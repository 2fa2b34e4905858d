"""Forms for the screening pages: the zero report, the findings, a campaign."""

import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zongzhi.cases.forms import GroupedCategoryField, RegionField
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.core.forms import LONG_TEXT_MAX, IsoDateField, text_field
from zongzhi.regions.models import Region
from zongzhi.screening.models import ScreeningItem, ScreeningSchedule
from zongzhi.screening.services import Finding
from zongzhi.units.models import Unit

HIGH_RISK = {Case.Risk.HIGH, Case.Risk.MAJOR}


def _key() -> str:
    return uuid.uuid4().hex


class FilingForm(forms.Form):
    """What both ways of filing carry: the key that makes a second tap harmless, and a
    note."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    note = text_field(_("说明（选填）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", _key())
        super().__init__(*args, **kwargs)


class ReportingUnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.region.name}）"


class FindingForm(forms.Form):
    """One thing found: a dispute (registered as a case) or a hazard."""

    kind = forms.ChoiceField(
        label=_("类型"), choices=ScreeningItem.Kind.choices, widget=forms.RadioSelect
    )
    category = GroupedCategoryField(
        label=_("分类"),
        empty_label=_("请选择分类"),
        queryset=Category.objects.filter(parent__isnull=False, is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "sort_order", "code"),
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    description = text_field(_("情况描述"), required=True, rows=3, max_length=LONG_TEXT_MAX)
    region = RegionField(label=_("地点"), queryset=Region.objects.none())
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    people_count = forms.IntegerField(
        label=_("涉及人数"), min_value=1, initial=1, widget=forms.NumberInput(attrs={"min": 1})
    )
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=Case.Risk.choices, initial="low")
    risk_reasons = text_field(_("风险原因（高、重大必填）"))
    # A dispute: who raised it.
    applicant_name = forms.CharField(label=_("反映人/当事人"), max_length=100, required=False)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    # A hazard: who answers for it.
    responsible_unit = ReportingUnitField(
        label=_("责任单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("请选择责任单位"),
    )
    guardian_name = forms.CharField(
        label=pgettext_lazy("hazard", "包保责任人"), max_length=50, required=False
    )
    guardian_phone = forms.CharField(label=_("包保责任人电话"), max_length=30, required=False)

    # What the services call a field, and where this form shows it.
    SERVICE_FIELDS = {
        "level": "risk_level",
        "level_reasons": "risk_reasons",
        "parties": "applicant_name",
        "lng": "region",
    }

    def __init__(self, *args: Any, places: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = places  # type: ignore[attr-defined]
        self.fields["responsible_unit"].queryset = units  # type: ignore[attr-defined]

    def has_changed(self) -> bool:
        # A block that sent nothing at all (the page never had it) is not a finding.
        sent = any(key.startswith(f"{self.prefix}-") for key in self.data)
        return sent and super().has_changed()

    @property
    def removed(self) -> bool:
        return "DELETE" in self.fields and bool(self["DELETE"].data)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if data.get("risk_level") in HIGH_RISK and not (data.get("risk_reasons") or "").strip():
            self.add_error("risk_reasons", _("风险等级为高或重大时须写明原因"))
        if kind == ScreeningItem.Kind.CASE and not (data.get("applicant_name") or "").strip():
            self.add_error("applicant_name", _("请填写反映人或当事人"))
        if kind == ScreeningItem.Kind.HAZARD:
            if data.get("responsible_unit") is None:
                self.add_error("responsible_unit", _("请选择责任单位"))
            if not (data.get("guardian_name") or "").strip():
                self.add_error("guardian_name", _("请填写包保责任人"))
        return data

    def finding(self) -> Finding:
        data = self.cleaned_data
        case = data["kind"] == ScreeningItem.Kind.CASE
        return Finding(
            kind=data["kind"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            region=data["region"],
            address=data["address"],
            people_count=data["people_count"],
            amount=data["amount"],
            risk_level=data["risk_level"],
            risk_reasons=data["risk_reasons"],
            applicant_name=data["applicant_name"] if case else "",
            applicant_phone=data["applicant_phone"] if case else "",
            responsible_unit=None if case else data["responsible_unit"],
            guardian_name="" if case else data["guardian_name"],
            guardian_phone="" if case else data["guardian_phone"],
        )

    def add_service_error(self, name: str, messages: list[str]) -> None:
        name = self.SERVICE_FIELDS.get(name, name)
        self.add_error(name if name in self.fields else None, messages)


class BaseFindingFormSet(forms.BaseFormSet):
    """The findings of one report. Blocks left untouched are ignored; a block removed on
    the page simply is not sent."""

    def written(self) -> list[FindingForm]:
        """The blocks the reporter filled in and did not remove."""
        return [
            form
            for form in self.forms
            if isinstance(form, FindingForm) and form.has_changed() and not form.removed
        ]

    def findings(self) -> list[tuple[FindingForm, Finding]]:
        """Each written block with its finding, in order (call after is_valid)."""
        return [(form, form.finding()) for form in self.written()]


FindingFormSet = forms.formset_factory(
    FindingForm,
    formset=BaseFindingFormSet,
    extra=1,
    max_num=50,
    validate_max=True,
    can_delete=True,
    can_delete_extra=True,
)
FINDINGS_PREFIX = "items"


def finding_formset(data: Any, *, places: Any, units: Any, default_place: Region) -> Any:
    return FindingFormSet(
        data,
        prefix=FINDINGS_PREFIX,
        form_kwargs={"places": places, "units": units, "initial": {"region": default_place}},
    )


def service_errors_onto(
    formset: Any, pairs: list[tuple[FindingForm, Finding]], error: Any
) -> list[str]:
    """Put the service's "items-<i>-<field>" errors on the field of the i-th finding sent;
    return the messages that belong to no finding."""
    left: list[str] = []
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    for key, messages in error.message_dict.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == FINDINGS_PREFIX and parts[1].isdigit():
            index = int(parts[1])
            if index < len(pairs):
                pairs[index][0].add_service_error(parts[2], messages)
                continue
        left.extend(messages)
    return left


# --- Campaigns --------------------------------------------------------------------------


class CampaignForm(forms.Form):
    """专项排查: what, where, when, who reports, and what to look for. Sending it twice
    launches it once (the service finds the campaign already launched)."""

    REPORTER_LEVELS = [
        (level.value, level.label)
        for level in (
            Region.Level.COUNTY,
            Region.Level.TOWNSHIP,
            Region.Level.VILLAGE,
            Region.Level.GRID,
        )
    ]

    title = forms.CharField(label=_("专项排查名称"), max_length=100)
    region = RegionField(
        label=_("排查范围"), queryset=Region.objects.none(), empty_label=_("请选择排查范围")
    )
    period_start = IsoDateField(label=_("起始日期"))
    period_end = IsoDateField(label=_("截止日期"))
    due_on = IsoDateField(label=_("报送期限"))
    reporters = forms.ChoiceField(
        label=_("填报对象"),
        choices=ScreeningSchedule.Reporters.choices,
        widget=forms.RadioSelect,
        initial=ScreeningSchedule.Reporters.REGIONS,
    )
    reporter_level = forms.TypedChoiceField(
        label=_("填报层级"),
        choices=REPORTER_LEVELS,
        coerce=int,
        initial=Region.Level.VILLAGE,
        help_text=_("各区划：该层级的每个区划各报一份；各单位：该层级的单位各报一份"),
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_("单位类别（不选即全部）"),
        choices=Unit.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    focus_categories = forms.ModelMultipleChoiceField(
        label=_("重点排查类别"),
        queryset=Category.objects.filter(parent__isnull=True, is_active=True).order_by(
            "sort_order", "code"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    instructions = text_field(_("排查要求"), rows=4, max_length=LONG_TEXT_MAX)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("period_start", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start: date | None = data.get("period_start")
        end: date | None = data.get("period_end")
        if start and end and (end - start).days > 366:
            raise ValidationError({"period_end": _("专项排查期限不能超过一年")})
        if data.get("reporters") == ScreeningSchedule.Reporters.REGIONS:
            data["unit_kinds"] = []
        return data


class PeriodForm(forms.Form):
    """Which days the compliance view counts (the place is chosen by its code)."""

    first = IsoDateField(label=_("从"))
    last = IsoDateField(label=_("至"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("结束日期不能早于开始日期"))
            elif (last - first).days > 366:
                self.add_error("last", _("查询期间不能超过一年"))
        return data
