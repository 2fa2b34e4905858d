"""Screening rounds (排查) and the reports filed for them."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Target
from zongzhi.regions.models import Region
from zongzhi.screening import rules
from zongzhi.units.models import Unit


class ScreeningSchedule(models.Model):
    """A standing screening duty: who reports, how often, and by when.

    Each period of the schedule opens one round; the round lists every reporter (the
    grids, or the units of the kinds named, at the level named) inside `region` then.
    """

    class Cadence(models.TextChoices):
        WEEKLY = rules.Cadence.WEEKLY.value, _("每周")
        TEN_DAY = rules.Cadence.TEN_DAY.value, _("每旬")
        MONTHLY = rules.Cadence.MONTHLY.value, _("每月")

    class Reporters(models.TextChoices):
        REGIONS = "regions", _("各区划（网格/村/乡镇）")
        UNITS = "units", _("各单位")

    name = models.CharField("名称", max_length=100)
    cadence = models.CharField("周期", max_length=20, choices=Cadence.choices)
    region = models.ForeignKey(
        Region, verbose_name="范围", on_delete=models.PROTECT, related_name="+"
    )
    reporters = models.CharField("填报对象", max_length=10, choices=Reporters.choices)
    reporter_level = models.PositiveSmallIntegerField(
        "填报层级", choices=Region.Level.choices, help_text="区划的层级，或单位所在区划的层级"
    )
    # Empty: every active unit at the level.
    unit_kinds = models.JSONField("单位类别", default=list, blank=True)
    grace_days = models.PositiveSmallIntegerField(
        "报送宽限（工作日）", default=1, help_text="周期结束后几个工作日内报送不算逾期"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "排查安排"
        verbose_name_plural = "排查安排"
        ordering = ["region__code", "cadence"]

    def __str__(self) -> str:
        return self.name


class ScreeningRound(models.Model):
    """One period of a schedule, or one special campaign (专项排查)."""

    class Kind(models.TextChoices):
        WEEKLY = rules.Cadence.WEEKLY.value, _("周排查")
        TEN_DAY = rules.Cadence.TEN_DAY.value, _("旬排查")
        MONTHLY = rules.Cadence.MONTHLY.value, _("月排查")
        CAMPAIGN = "campaign", _("专项排查")

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    schedule = models.ForeignKey(
        ScreeningSchedule, null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="范围", on_delete=models.PROTECT)
    region_prefix = models.CharField(max_length=18, editable=False)
    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期")
    due_on = models.DateField("报送期限")
    # A campaign's focus: the categories it looks for, and what the launcher asks.
    focus_categories = models.ManyToManyField(
        "categories.Category", verbose_name="重点排查类别", blank=True
    )
    instructions = models.TextField("排查要求", blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "排查轮次"
        verbose_name_plural = "排查轮次"
        ordering = ["-period_start", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"],
                condition=Q(schedule__isnull=False),
                name="round_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="round_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("period_end")), name="round_due_after_period"
            ),
            models.CheckConstraint(
                condition=Q(kind="campaign", schedule__isnull=True)
                | (~Q(kind="campaign") & Q(schedule__isnull=False)),
                name="round_campaign_has_no_schedule",
            ),
        ]
        indexes = [
            models.Index(fields=["period_start", "period_end"], name="round_period"),
            models.Index(
                fields=["region_prefix"],
                name="round_region_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_campaign(self) -> bool:
        return self.kind == self.Kind.CAMPAIGN

    def scope_target(self) -> Target:
        return Target(region_prefix=self.region_prefix)


class ScreeningReport(models.Model):
    """What one reporter (a grid, village, township, or a unit) owes for one round.

    The row exists from the round's opening, so "who has not reported" is a plain query;
    filing it sets `filed_at`, with its items or as an explicit zero report (零报告).
    """

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="reports")
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the reporter lies: the region's prefix, or the unit's region's.
    region_prefix = models.CharField(max_length=18, editable=False)
    due_on = models.DateField("报送期限")
    filed_at = models.DateTimeField("上报时间", null=True, blank=True)
    filed_on = models.DateField("上报日期", null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_zero = models.BooleanField("零报告", default=False)
    is_late = models.BooleanField("逾期上报", default=False)
    note = models.TextField("说明", blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = "排查报告"
        verbose_name_plural = "排查报告"
        ordering = ["region_prefix", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, unit__isnull=True)
                | Q(region__isnull=True, unit__isnull=False),
                name="report_region_or_unit",
            ),
            models.UniqueConstraint(
                fields=["round", "region"],
                condition=Q(region__isnull=False),
                name="report_once_per_region",
            ),
            models.UniqueConstraint(
                fields=["round", "unit"],
                condition=Q(unit__isnull=False),
                name="report_once_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(filed_at__isnull=True, filed_on__isnull=True, is_zero=False)
                | Q(filed_at__isnull=False, filed_on__isnull=False),
                name="report_filed_consistently",
            ),
            models.CheckConstraint(
                condition=Q(is_late=False) | Q(filed_on__gt=models.F("due_on")),
                name="report_late_only_after_due",
            ),
        ]
        indexes = [
            models.Index(
                fields=["region_prefix"],
                name="report_region_like",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["round", "filed_on"], name="report_round_filed"),
            models.Index(fields=["unit", "filed_on"], name="report_unit_filed"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.reporter_name}"

    @property
    def reporter_name(self) -> str:
        # `region` / `unit` are select_related on every list.
        return str(self.unit if self.unit_id else self.region)

    def state(self, today: date) -> rules.ReportState:
        return rules.report_state(filed_on=self.filed_on, due_on=self.due_on, today=today)

    def scope_target(self) -> Target:
        """A unit's report is its unit's to file; a region's report belongs to the people
        of that region (no unit owns it, so a station's handler cannot file a grid's)."""
        if self.unit_id is not None:
            return Target(region_prefix=self.region_prefix, unit_ids=frozenset({self.unit_id}))
        return Target(region_prefix=self.region_prefix, unit_ids=frozenset())


class ScreeningItem(models.Model):
    """One thing found in screening; it is registered as a case or as a hazard at once."""

    class Kind(models.TextChoices):
        CASE = "case", _("矛盾纠纷（登记为事项）")
        HAZARD = "hazard", _("风险隐患")

    report = models.ForeignKey(ScreeningReport, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_item",
    )
    hazard = models.OneToOneField(
        "hazards.Hazard",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_item",
    )

    class Meta:
        verbose_name = "排查发现"
        verbose_name_plural = "排查发现"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="case", case__isnull=False, hazard__isnull=True)
                | Q(kind="hazard", hazard__isnull=False, case__isnull=True),
                name="item_is_case_or_hazard",
            ),
        ]

    def __str__(self) -> str:
        return str(self.case or self.hazard)

    @property
    def record(self) -> object:
        return self.case if self.kind == self.Kind.CASE else self.hazard
