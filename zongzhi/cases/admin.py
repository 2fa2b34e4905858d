"""Reference data for cases in the Django admin: routing rules and deadline policies.

Cases themselves are changed only through the services (the case pages), never here.
"""

from django.contrib import admin

from zongzhi.cases.models import DeadlinePolicy, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ["category", "level", "unit_kind"]
    list_filter = ["level", "unit_kind"]
    autocomplete_fields = ["category"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin[DeadlinePolicy]):
    list_display = [
        "name",
        "channel",
        "category",
        "urgent",
        "counting",
        "accept_days",
        "handle_days",
        "warn_days",
        "is_active",
    ]
    list_filter = ["counting", "is_active", "petition"]
