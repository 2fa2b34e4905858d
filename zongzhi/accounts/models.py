import os

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Target


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    def scope_target(self) -> Target:
        """Where the person lies for permission checks: where all their roles lie. Someone
        with no role lies nowhere that a scoped user covers ("\\0" is no region's prefix)."""
        assignments = RoleAssignment.objects.filter(user_id=self.pk).select_related(
            "region", "unit__region"
        )
        prefixes = [p for p in (a.place_prefix for a in assignments) if p is not None]
        # Character-wise on purpose: region prefixes are fixed-width digit strings.
        common = os.path.commonprefix(prefixes)  # noqa: RUF071
        return Target(region_prefix=common if prefixes else "\0")


class RoleAssignment(models.Model):
    """One role held by a user, either at a region or in a unit."""

    class Role(models.TextChoices):
        # The same values as rules.Role (a test keeps them in step).
        INTAKE_OFFICER = "intake_officer", _("受理员")
        GRID_WORKER = "grid_worker", _("网格员")
        MEDIATOR = "mediator", _("调解员")
        UNIT_HANDLER = "unit_handler", _("承办人")
        LEADER = "leader", _("领导")
        CARE_WORKER = "care_worker", _("包保责任人")
        CARE_SUPERVISOR = "care_supervisor", _("特殊人群督导")
        ADMINISTRATOR = "administrator", _("管理员")
        CLIENT_SYSTEM = "client_system", _("对接系统")

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="所在区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField("设立时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, unit__isnull=True)
                | Q(region__isnull=True, unit__isnull=False),
                name="role_held_at_region_or_in_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role="unit_handler") | Q(unit__isnull=False),
                name="role_unit_handler_in_unit",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["unit_handler", "mediator"]) | Q(region__isnull=False),
                name="role_regional_roles_at_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="role_unique_at_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="role_unique_in_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.place_name}"

    @property
    def place_prefix(self) -> str | None:
        """The prefix of the region the role is held at (a unit's region for a role held
        in a unit)."""
        held_at = self.unit.region if self.unit is not None else self.region
        return held_at.prefix if held_at is not None else None

    @property
    def place_name(self) -> str:
        if self.unit_id is not None and self.unit is not None:
            return self.unit.name
        return self.region.name if self.region is not None else ""


class ApiToken(models.Model):
    """A key another system (or a person's own script) calls the API with. It acts as its
    user, with that user's roles and scope. Only a digest is kept: the key itself is shown
    once, when it is made, and cannot be read back."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100)
    # The first characters of the key, kept in the clear so a person can tell keys apart.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口密钥"
        verbose_name_plural = "接口密钥"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
