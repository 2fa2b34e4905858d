from django.contrib import admin

from zongzhi.units.models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active", "region__level"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]
    filter_horizontal = ["competent_categories"]
