from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from zongzhi.accounts import throttle, twofactor
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
    actions = ["reset_two_factor"]

    @admin.action(description="重置两步验证（手机丢失且无恢复码）")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done, refused = [], []
        for user in queryset:
            try:
                twofactor.reset(by=request.user, user=user, request=request)
            except PermissionDenied:
                refused.append(str(user))
            else:
                done.append(str(user))
        if done:
            self.message_user(
                request,
                f"已重置两步验证：{'、'.join(done)}。下次登录时需重新启用。",
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, f"无权重置：{'、'.join(refused)}", messages.ERROR)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "unit", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "region", "unit"]


_admin_login = admin.site.login


@login_not_required
def _throttled_admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site's own sign-in form, under the same address and account limits as the
    site's (zongzhi.accounts.throttle): otherwise /admin/login/ is a door around them."""
    if request.method == "POST":
        found = throttle.refusal(request, request.POST.get("username", ""))
        if found is not None:
            return throttle.refused_response(request, found)
    return _admin_login(request, extra_context)


admin.site.login = _throttled_admin_login  # type: ignore[method-assign]
