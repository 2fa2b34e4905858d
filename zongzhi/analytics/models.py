"""Rollups: the case register's counts, kept per day × place × category × channel × unit
so that any subtree's figures for any period are a sum over a few rows, not a scan of the
cases. `CaseFact` remembers what each case last contributed, so a change to a case moves
its counts from the old cell to the new one (rollups.refresh_rollups); the whole thing can
be rebuilt from the cases at any time (rollups.rebuild_rollups)."""

from django.db import models

# What each case contributes: 0 or 1 per counter. Every cell holds the sums.
COUNTERS = (
    "received",  # registered (a merged duplicate counts where it was merged into)
    "accepted",  # 受理: accepted at some point (not rejected, not waiting)
    "rejected",  # 不予受理
    "open",  # still owed to the resident
    "closed",  # 办结
    "closed_on_time",  # 办结 by its deadline
    "resolved",  # 化解: closed with an outcome that settled it
    "visited",  # 回访 done
    "satisfied",  # 满意 or 基本满意 at the return visit
)


class CellKey(models.Model):
    """The dimensions of a cell (abstract: CaseFact and CaseRollup share them)."""

    day = models.DateField("登记日期")  # the cohort: cases received that day
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_prefix = models.CharField(max_length=18)
    category = models.ForeignKey("categories.Category", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Counts(models.Model):
    received = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    visited = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseFact(CellKey, Counts):
    """What one case contributes to the rollup now."""

    # Not a foreign key: the fact must outlive nothing it describes, and the register never
    # deletes a case (a rebuild would notice one that was).
    case_id = models.BigIntegerField(unique=True)

    class Meta:
        verbose_name = "事项统计事实"
        verbose_name_plural = "事项统计事实"

    def __str__(self) -> str:
        return f"事项 {self.case_id} @ {self.day}"


class CaseRollup(CellKey, Counts):
    class Meta:
        verbose_name = "事项统计汇总"
        verbose_name_plural = "事项统计汇总"
        # One row per key: the refresh holds the RollupState lock while it writes. (A unique
        # constraint cannot say so portably: the unit may be empty, and NULLs differ.)
        indexes = [
            models.Index(
                fields=["day", "region", "category", "channel", "unit"], name="caserollup_key"
            ),
            models.Index(
                fields=["region_prefix", "day"],
                name="caserollup_region_day",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["day"], name="caserollup_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region_prefix} {self.channel}"


# The areas a leader's figures are asked for: province, city, county, township (their
# prefix lengths, regions.rules.PREFIX_LENGTH).
AREA_DEPTHS = (2, 4, 6, 9)


class AreaDayTotal(Counts):
    """A day's counters summed over a whole area, whatever its grids, categories, channels
    and units: a subtree's figures for a year are then 365 rows, however many cases the
    area holds (CaseRollup's cells are nearly one per case at province scale). Kept with
    the rollup, from the same deltas; the rollup stays the source for breakdowns."""

    depth = models.PositiveSmallIntegerField()  # one of AREA_DEPTHS: len(area)
    area = models.CharField(max_length=9)  # the region prefix, cut to `depth`
    day = models.DateField("登记日期")

    class Meta:
        verbose_name = "区域每日汇总"
        verbose_name_plural = "区域每日汇总"
        constraints = [
            models.UniqueConstraint(fields=["depth", "area", "day"], name="areadaytotal_key")
        ]

    def __str__(self) -> str:
        return f"{self.area} @ {self.day}"


class RollupState(models.Model):
    """One row: how far the incremental refresh has read the cases' changes."""

    name = models.CharField(max_length=30, unique=True)
    refreshed_up_to = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.refreshed_up_to}"


class MonthlySignoff(models.Model):
    """审核上报: one place's figures for one month, approved by its level and frozen. The
    level above approves only after every place below it has; the figures change only
    through a recorded re-opening (SignoffEvent)."""

    class Status(models.TextChoices):
        APPROVED = "approved", "已审核"
        REOPENED = "reopened", "已退回重审"

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_prefix = models.CharField(max_length=18)
    month = models.DateField("月份")  # the first day of the month
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    # The figures as approved: {counter: n} for the month's cohort, and the live ones.
    figures = models.JSONField("审核时的数据", default=dict)
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by_name = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = "月度审核"
        verbose_name_plural = "月度审核"
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="signoff_once_per_month")
        ]
        indexes = [
            models.Index(
                fields=["region_prefix", "month"],
                name="signoff_region_month",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_prefix} {self.month:%Y-%m} {self.get_status_display()}"


class SignoffEvent(models.Model):
    """Every approval and re-opening, with who, when and why: the sign-off's history."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "审核通过"
        REOPEN = "reopen", "退回重审"

    signoff = models.ForeignKey(MonthlySignoff, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=50)
    reason = models.TextField(blank=True)
    figures = models.JSONField(default=dict)  # the figures at that moment

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ScorecardWeight(models.Model):
    """考评: how much each indicator weighs in a unit's score, set by an administrator."""

    indicator = models.CharField("指标", max_length=30, unique=True)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField("修改时间")
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "考评权重"
        verbose_name_plural = "考评权重"
        ordering = ["indicator"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=100),
                name="scorecard_weight_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} × {self.weight}"
