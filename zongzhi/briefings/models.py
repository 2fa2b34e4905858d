"""The daily information report (涉稳信息日报)."""

from django.db import models

from zongzhi.accounts.rules import Target
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

    def scope_target(self) -> Target:
        return Target(region_prefix=self.region_prefix)


class DailyReportItem(models.Model):
    """One record in a report, with every reason it is there and who answers for it."""

    class Reason(models.TextChoices):
        HIGH_RISK = "high_risk", "新增高风险"
        MAJOR_RISK = "major_risk", "新增重大风险"
        GROUP = "group", "群体性"
        URGENT = "urgent", "有暴力或自伤倾向"
        OVERDUE = "overdue", "超期未办结"
        REVIEW_OVERDUE = "review_overdue", "隐患复查逾期"

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hazard = models.ForeignKey(
        "hazards.Hazard", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.JSONField("原因")
    # As it read that morning: later changes to the record do not rewrite the report.
    title = models.CharField("标题", max_length=100)
    place = models.CharField("地点", max_length=100)
    level = models.CharField("风险等级", max_length=10)
    unit = models.ForeignKey(
        Unit, verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT
    )
    unit_name = models.CharField("责任单位", max_length=100)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, hazard__isnull=True)
                | models.Q(case__isnull=True, hazard__isnull=False),
                name="daily_item_case_or_hazard",
            ),
        ]

    def __str__(self) -> str:
        return self.title
