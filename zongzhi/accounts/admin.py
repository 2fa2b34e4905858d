from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from zongzhi.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    raw_id_fields = ["region", "unit"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("zongzhi", {"fields": ["full_name", "phone"]}),
    )
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "unit", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "region", "unit"]
