from django.contrib import admin

from zongzhi.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "code_is_official"]
    list_filter = ["level", "code_is_official"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    # Codes, levels and parents come from the import command, which checks them together.
    readonly_fields = [
        "code",
        "prefix",
        "level",
        "parent",
        "min_lng",
        "min_lat",
        "max_lng",
        "max_lat",
    ]
    fields = ["code", "prefix", "name", "level", "parent", "code_is_official"]

    def has_add_permission(self, request: object) -> bool:
        return False
