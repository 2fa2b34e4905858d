"""The daily information report (涉稳信息日报)."""

from datetime import date, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from zongzhi.accounts.rules import Target
from zongzhi.briefings import rules
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit


class DailyReport(models.Model):
    """One morning's report for one centre's subtree (the county's, or a township's).

    It covers `window_start` up to `window_end`: from where the previous report ended, so a
    morning missed is caught up by the next one and nothing is reported twice.
    """

    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT)
    region_prefix = models.CharField(max_length=18, editable=False)
    report_date = models.DateField("日期")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    generated_at = models.DateTimeField()
    emailed_to = models.JSONField("已发送", default=list, blank=True)

    class Meta:
        verbose_name = "涉稳信息日报"
        verbose_name_plural = "涉稳信息日报"
        ordering = ["-report_date", "region_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["region", "report_date"], name="daily_report_once"),
        ]
        indexes = [
            models.Index(
                fields=["region_prefix", "-report_date"],
                name="daily_report_region",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.report_date}"

    @property
    def first_day(self) -> date:
        """The first day the report covers (local time)."""
        return timezone.localdate(self.window_start)

    @property
    def last_day(self) -> date:
        """The last day the report covers: its window ends at the start of the next."""
        return timezone.localdate(self.window_end) - timedelta(days=1)

    @property
    def covers_one_day(self) -> bool:
        return self.first_day >= self.last_day

    def scope_target(self) -> Target:
        return Target(region_prefix=self.region_prefix)


class DailyReportItem(models.Model):
    """One record in a report, with every reason it is there and who answers for it."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hazard = models.ForeignKey(
        "hazards.Hazard", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # rules.Reason values, the most pressing first.
    reasons = models.JSONField("原因")
    # As it read that morning: later changes to the record do not rewrite the report.
    code = models.CharField("编号", max_length=20)
    title = models.CharField("标题", max_length=100)
    place = models.CharField("地点", max_length=100)
    level = models.CharField("风险等级", max_length=10)
    unit = models.ForeignKey(
        Unit, verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT
    )
    unit_name = models.CharField("责任单位", max_length=100)
    # A case not yet dispatched: its centre answers for it until a unit is chosen.
    awaiting_dispatch = models.BooleanField("待派单", default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # One item per record: a record with several reasons carries them all.
            models.UniqueConstraint(
                fields=["report", "case"],
                condition=models.Q(case__isnull=False),
                name="daily_item_case_once",
            ),
            models.UniqueConstraint(
                fields=["report", "hazard"],
                condition=models.Q(hazard__isnull=False),
                name="daily_item_hazard_once",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, hazard__isnull=True)
                | models.Q(case__isnull=True, hazard__isnull=False),
                name="daily_item_case_or_hazard",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_hazard(self) -> bool:
        return self.hazard_id is not None

    @property
    def reason_names(self) -> list[str]:
        return [str(name) for _, name in self.reason_chips]

    @property
    def reason_chips(self) -> list[tuple[str, Any]]:
        """(value, name) of each reason, the most pressing first."""
        return [(r, rules.REASON_NAMES[rules.Reason(r)]) for r in self.reasons]

    @property
    def level_label(self) -> str:
        # Cases and hazards share the four levels (低/中/高/重大).
        return str(Hazard.Level(self.level).label) if self.level in Hazard.Level.values else ""
