from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse

from zongzhi.accounts import throttle, twofactor
from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.core import audit


def _where(a: RoleAssignment) -> str:
    place = a.unit or a.region
    return f"{a.get_role_display()}（{place}）" if place else str(a.get_role_display())


def _granted(request: HttpRequest, a: RoleAssignment, *, change: bool) -> None:
    kind = audit.Kind.ROLE_CHANGED if change else audit.Kind.ROLE_GRANTED
    audit.record(request.user, kind, f"user:{a.user.username}", _where(a))


def _revoked(request: HttpRequest, a: RoleAssignment) -> None:
    audit.record(request.user, audit.Kind.ROLE_REVOKED, f"user:{a.user.username}", _where(a))


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

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Roles given, changed or taken on a user's page go into the audit log."""
        super().save_formset(request, form, formset, change)
        if formset.model is not RoleAssignment:
            return
        for a in formset.new_objects:
            _granted(request, a, change=False)
        for a, _fields in formset.changed_objects:
            _granted(request, a, change=True)
        for a in formset.deleted_objects:
            _revoked(request, a)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "unit", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "region", "unit"]

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        _granted(request, obj, change=change)

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        _revoked(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for a in queryset.select_related("user", "region", "unit"):
            _revoked(request, a)
        super().delete_queryset(request, queryset)


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
