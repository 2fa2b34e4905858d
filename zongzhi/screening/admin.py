"""Screening in the Django admin: the standing schedules are set up here; rounds and
reports are only looked at (they are opened by the scheduler and filed on the pages)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from zongzhi.screening.models import (
    ScreeningItem,
    ScreeningReport,
    ScreeningRound,
    ScreeningSchedule,
)
from zongzhi.units.models import Unit


class ScheduleForm(forms.ModelForm):
    unit_kinds = forms.MultipleChoiceField(
        label="单位类别",
        choices=Unit.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="填报对象为各单位时：只要这些类别的单位填报；不选即该层级的全部单位",
    )

    class Meta:
        model = ScreeningSchedule
        fields = [
            "name",
            "cadence",
            "region",
            "reporters",
            "reporter_level",
            "unit_kinds",
            "grace_days",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        region = data.get("region")
        level = data.get("reporter_level")
        if region is not None and level is not None and level < region.level:
            self.add_error("reporter_level", "填报层级不能高于排查范围")
        if data.get("reporters") == ScreeningSchedule.Reporters.REGIONS:
            data["unit_kinds"] = []
        return data


@admin.register(ScreeningSchedule)
class ScreeningScheduleAdmin(admin.ModelAdmin[ScreeningSchedule]):
    form = ScheduleForm
    list_display = [
        "name",
        "cadence",
        "region",
        "reporters",
        "reporter_level",
        "grace_days",
        "is_active",
    ]
    list_filter = ["cadence", "reporters", "is_active"]
    search_fields = ["name", "region__name"]
    autocomplete_fields = ["region"]


class ReadOnly:
    """Rows written by the services only: shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScreeningRound)
class ScreeningRoundAdmin(ReadOnly, admin.ModelAdmin[ScreeningRound]):
    list_display = ["title", "kind", "region", "period_start", "period_end", "due_on"]
    list_filter = ["kind"]
    search_fields = ["title", "region__name"]
    date_hierarchy = "period_start"


class ItemInline(ReadOnly, admin.TabularInline[ScreeningItem, ScreeningReport]):
    model = ScreeningItem
    fields = ["kind", "case", "hazard"]
    extra = 0


@admin.register(ScreeningReport)
class ScreeningReportAdmin(ReadOnly, admin.ModelAdmin[ScreeningReport]):
    list_display = ["round", "reporter_name", "due_on", "filed_on", "is_zero", "is_late"]
    list_filter = ["is_zero", "is_late", "round__kind"]
    search_fields = ["round__title", "region__name", "unit__name"]
    list_select_related = ["round", "region", "unit"]
    inlines = [ItemInline]
