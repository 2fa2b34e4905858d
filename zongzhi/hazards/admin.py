"""The hazard register in the Django admin: to look things up, not to change them.

Every change to a hazard goes through the services (the hazard pages), which check scope
and append the timeline; an admin edit would do neither, so these pages only read.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zongzhi.hazards.models import Hazard, HazardEvent, HazardMeasure, HazardReview


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MeasureInline(ReadOnlyInline):
    model = HazardMeasure
    fields = ["content", "owner", "due_on", "done_on", "done_note"]


class ReviewInline(ReadOnlyInline):
    model = HazardReview
    fields = ["reviewed_on", "finding", "level", "next_review_on", "by_name"]


class EventInline(ReadOnlyInline):
    model = HazardEvent
    fields = ["at", "step", "from_status", "to_status", "actor_name", "note"]
    verbose_name = "管控过程"
    verbose_name_plural = "管控过程"


@admin.register(Hazard)
class HazardAdmin(admin.ModelAdmin[Hazard]):
    list_display = [
        "code",
        "title",
        "level",
        "status",
        "region",
        "responsible_unit",
        "guardian_name",
        "next_review_on",
        "registered_at",
    ]
    list_filter = ["status", "level", "source"]
    search_fields = ["code", "title", "guardian_name", "responsible_unit__name"]
    list_select_related = ["region", "responsible_unit"]
    date_hierarchy = "registered_at"
    inlines = [MeasureInline, ReviewInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
