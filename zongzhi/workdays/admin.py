from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zongzhi.workdays.models import CalendarDay
from zongzhi.workdays.selectors import coverage_warning
from zongzhi.workdays.services import calendar_day_remove, calendar_day_set, may_edit_calendar


class YearFilter(admin.SimpleListFilter):
    title = "年份"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), f"{d.year}年") for d in years]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CalendarDay]
    ) -> QuerySet[CalendarDay]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "note"]
    list_filter = ["kind", YearFilter]
    search_fields = ["name", "note"]
    fields = ["date", "kind", "name", "note"]
    ordering = ["date"]

    # The schedule moves every deadline in the system, so the admin asks the same question
    # as the services (a county administrator or above), not the per-model permissions.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_edit_calendar(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_calendar(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_edit_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_calendar(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_calendar(request.user)

    # Where the missing year gets entered, so the warning is here as on the home page.
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        warning = coverage_warning(today=timezone.localdate())
        if warning and request.method == "GET":
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    # Writes go through the services, the one path that checks, validates and refreshes
    # the cached calendar.
    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        moved_from = form.initial.get("date") if change else None
        if moved_from is not None and moved_from != obj.date:
            calendar_day_remove(by=request.user, day=moved_from)
        saved = calendar_day_set(
            by=request.user, day=obj.date, kind=obj.kind, name=obj.name, note=obj.note
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_remove(by=request.user, day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset.values_list("date", flat=True):
            calendar_day_remove(by=request.user, day=day)
