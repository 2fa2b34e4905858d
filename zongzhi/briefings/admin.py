"""The daily reports in the Django admin: to look things up, not to change them.

A report is what was sent that morning; the scheduled task writes it, nobody edits it."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zongzhi.briefings.models import DailyReport, DailyReportItem

ITEM_FIELDS = ("code", "title", "reasons", "place", "level", "unit_name", "awaiting_dispatch")
REPORT_FIELDS = (
    "region",
    "report_date",
    "window_start",
    "window_end",
    "generated_at",
    "emailed_to",
)


class ItemInline(admin.TabularInline):
    model = DailyReportItem
    extra = 0
    can_delete = False
    fields = ITEM_FIELDS
    readonly_fields = ITEM_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    list_display = ["report_date", "region", "window_start", "window_end", "generated_at"]
    list_filter = ["report_date"]
    search_fields = ["region__name", "region__code"]
    date_hierarchy = "report_date"
    fields = REPORT_FIELDS
    readonly_fields = REPORT_FIELDS
    inlines = [ItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
