from django.contrib import admin
from django.http import HttpRequest

from zongzhi.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, and nobody edits or deletes an entry by hand."""

    list_display = ["at", "action", "actor_username", "actor_name", "target", "address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "actor_name", "target"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
