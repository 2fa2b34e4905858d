"""What administrators set: where cases go, and how long each stage may take."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.cases.models.case import Case
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit
from zongzhi.workdays.rules import COUNTING_NAMES, Counting


class RoutingRule(models.Model):
    """At a centre of this level, cases of this category go to the unit of this kind there.

    属地管理 (the place owns it) picks the level; 谁主管、谁负责 (the competent department
    owns it) picks the kind. A rule on a top-level category covers its second-level ones
    unless they have their own. The intake officer sees the suggestion and may choose
    another unit; dispatched cases keep the unit they were given when a rule changes.
    """

    category = models.ForeignKey(
        "categories.Category", verbose_name="事项分类", on_delete=models.CASCADE
    )
    level = models.PositiveSmallIntegerField(
        "层级",
        choices=[(lv.value, lv.label) for lv in Region.Level if lv in Unit.LEVELS],
    )
    unit_kind = models.CharField("承办单位类别", max_length=30, choices=Unit.Kind.choices)

    class Meta:
        verbose_name = "分流规则"
        verbose_name_plural = "分流规则"
        ordering = ["level", "category__code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "level"], name="routing_one_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.get_level_display()} → {self.get_unit_kind_display()}"


class DeadlinePolicy(models.Model):
    """How long a case may take, for the channel, category and urgency it matches.

    Empty fields match anything; among the policies that match a case, the most specific
    wins (channel, then category — second level before top level — then urgency).
    """

    name = models.CharField("名称", max_length=100, unique=True)
    channel = models.CharField("来源渠道", max_length=20, choices=Case.Channel.choices, blank=True)
    category = models.ForeignKey(
        "categories.Category",
        verbose_name="事项分类",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    urgent = models.BooleanField("紧急", null=True, blank=True)
    petition = models.BooleanField(
        "按信访工作条例计时",
        default=False,
        help_text=_("延期只能一次、不超过30日，由负责人批准并告知信访人"),
    )
    counting = models.CharField(
        "计时方式",
        max_length=20,
        choices=[(c.value, label) for c, label in COUNTING_NAMES.items()],
        default=Counting.WORKING_DAYS,
    )
    accept_days = models.PositiveSmallIntegerField("受理/告知时限（天）")
    handle_days = models.PositiveSmallIntegerField("办理时限（天）")
    warn_days = models.PositiveSmallIntegerField("提前预警（工作日）", default=2)
    summons_days = models.PositiveSmallIntegerField("吹哨报到时限（工作日）", default=1)
    supervision_days = models.PositiveSmallIntegerField("督办反馈时限（工作日）", default=3)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "时限规则"
        verbose_name_plural = "时限规则"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handle_days__gte=1), name="policy_handle_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
