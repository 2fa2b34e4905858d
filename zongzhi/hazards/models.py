"""The risk-hazard register (风险隐患台账): risks that are not yet disputes."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Target
from zongzhi.core.models import AppendOnly, AppendOnlyQuerySet
from zongzhi.hazards import rules
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit


class HazardQuerySet(models.QuerySet["Hazard"]):
    def open(self) -> "HazardQuerySet":
        return self.filter(status__in=rules.OPEN)

    def review_overdue(self, today: Any) -> "HazardQuerySet":
        return self.filter(status__in=rules.OPEN, next_review_on__lt=today)


class Hazard(models.Model):
    class Level(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")
        MAJOR = "major", _("重大")

    Status = models.TextChoices(  # type: ignore[call-overload]
        "Status", [(s.name, (s.value, rules.STATUS_NAMES[s])) for s in rules.Status]
    )

    class Source(models.TextChoices):
        DIRECT = "direct", _("直接登记")
        SCREENING = "screening", _("排查发现")
        LEDGER = "ledger", _("台账导入")

    code = models.CharField("编号", max_length=20, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # A digest of the request that used the key (core.services.body_digest): the same key
    # with another body is refused (409) rather than answered with this record.
    idempotency_digest = models.CharField(max_length=64, blank=True, default="")
    # For a hazard imported from a ledger: the row's own number, or a digest of its
    # content, so that importing the same ledger again finds it instead of adding it twice.
    ledger_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default="direct")

    title = models.CharField("隐患名称", max_length=100)
    description = models.TextField("隐患描述")
    category = models.ForeignKey(
        "categories.Category", verbose_name="类别", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name="所在地", on_delete=models.PROTECT, related_name="hazards"
    )
    region_prefix = models.CharField(max_length=18, editable=False)
    address = models.CharField("详细地址", max_length=200, blank=True)
    people_count = models.PositiveIntegerField("涉及人数", default=1)
    amount = models.DecimalField(
        "涉及金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    level = models.CharField("风险等级", max_length=10, choices=Level.choices)
    level_reasons = models.TextField("定级理由", blank=True)

    responsible_unit = models.ForeignKey(
        Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="hazards"
    )
    guardian_name = models.CharField("包保责任人", max_length=50)
    guardian_phone = models.CharField("包保责任人电话", max_length=30, blank=True)

    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=rules.Status.CONTROLLED.value
    )
    discovered_on = models.DateField("发现日期")
    review_every_days = models.PositiveSmallIntegerField("复查周期（天）")
    next_review_on = models.DateField("下次复查日期", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="转为事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="from_hazard",
    )

    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = "风险隐患"
        verbose_name_plural = "风险隐患"
        ordering = ["-registered_at"]
        indexes = [
            models.Index(
                fields=["region_prefix"],
                name="hazard_region_like",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["status", "next_review_on"], name="hazard_status_review"),
            models.Index(fields=["responsible_unit", "status"], name="hazard_unit_status"),
            models.Index(fields=["-registered_at"], name="hazard_registered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in rules.Status]), name="hazard_status_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    status="controlled", next_review_on__isnull=False, closed_on__isnull=True
                )
                | (
                    ~Q(status="controlled")
                    & Q(next_review_on__isnull=True, closed_on__isnull=False)
                ),
                name="hazard_open_is_reviewed_closed_is_dated",
            ),
            models.CheckConstraint(
                condition=Q(status="escalated", case__isnull=False)
                | (~Q(status="escalated") & Q(case__isnull=True)),
                name="hazard_escalated_names_its_case",
            ),
            models.CheckConstraint(
                condition=Q(review_every_days__gte=1), name="hazard_review_interval_positive"
            ),
            models.CheckConstraint(
                condition=Q(people_count__gte=1), name="hazard_people_count_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def status_enum(self) -> rules.Status:
        return rules.Status(self.status)

    def scope_target(self) -> Target:
        """Its place, and the unit answering for it."""
        return Target(
            region_prefix=self.region_prefix, unit_ids=frozenset({self.responsible_unit_id})
        )


class HazardMeasure(models.Model):
    """One measure of the plan (一事一策): what, who, by when, and when it was done."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="measures")
    content = models.TextField("措施内容")
    owner = models.CharField("落实人", max_length=50)
    due_on = models.DateField("完成时限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.TextField("落实情况", blank=True)

    class Meta:
        verbose_name = "管控措施"
        verbose_name_plural = "管控措施"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.content[:30]


class HazardReview(models.Model):
    """复查: someone went to see, wrote what they found, and set the next date."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("复查日期")
    finding = models.TextField("复查情况")
    level = models.CharField("复查后等级", max_length=10, choices=Hazard.Level.choices)
    next_review_on = models.DateField("下次复查日期", null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=100)

    class Meta:
        verbose_name = "复查记录"
        verbose_name_plural = "复查记录"
        ordering = ["reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.reviewed_on} {self.finding[:20]}"


class HazardEvent(AppendOnly):
    """One entry of a hazard's timeline. Entries are only ever added."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=30, choices=[(s.value, s.value) for s in rules.Step])
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=100)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # For the sweep's warning: the review date that was missed (one warning per date).
    for_review_on = models.DateField(null=True, blank=True)

    objects = AppendOnlyQuerySet["HazardEvent"].as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["hazard", "at"], name="hazard_event_hazard_at")]
        constraints = [
            # The sweep warns once per missed review date.
            models.UniqueConstraint(
                fields=["hazard", "for_review_on"],
                condition=Q(step="review_overdue"),
                name="hazard_review_overdue_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_name} {self.at:%Y-%m-%d %H:%M}"

    @property
    def step_name(self) -> str:
        return rules.STEPS[rules.Step(self.step)].name
