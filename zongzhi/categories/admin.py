from django.contrib import admin

from zongzhi.categories.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "sort_order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name"]
    ordering = ["parent__sort_order", "sort_order", "code"]
