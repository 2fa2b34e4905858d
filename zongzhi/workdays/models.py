from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.workdays import rules


class Counting(models.TextChoices):
    """For policies' fields: whether their periods count working days or calendar days."""

    WORKING_DAYS = rules.Counting.WORKING_DAYS.value, _("工作日")
    CALENDAR_DAYS = rules.Counting.CALENDAR_DAYS.value, _("自然日")


class CalendarDay(models.Model):
    """A day whose status an administrator has set: for the years the `chinesecalendar`
    package does not cover yet, or to correct it. An entry here wins over the package."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=20, help_text="如“春节”“国庆节”")
    note = models.CharField("备注", max_length=200, blank=True)
    # Part of the version the cached calendar is checked against, so that an entry changed
    # in place (same row, same count) is noticed by every process.
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["holiday", "workday"]), name="calendar_day_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"

    @property
    def is_workday(self) -> bool:
        return self.kind == self.Kind.WORKDAY
