"""The work around a case: summonses, supervision orders, extensions, clock pauses, alerts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.cases.models.case import Case
from zongzhi.units.models import Unit


class Summons(models.Model):
    """吹哨: a centre summons a unit (usually a county department) to join; it must answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summonses")
    unit = models.ForeignKey(Unit, verbose_name="报到单位", on_delete=models.PROTECT)
    reason = models.TextField("吹哨事由")
    summoned_at = models.DateTimeField()
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_due_on = models.DateField("报到期限")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField("报到意见", blank=True)

    class Meta:
        ordering = ["summoned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"],
                condition=Q(answered_at__isnull=True),
                name="summons_one_open_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}"


class SupervisionOrder(models.Model):
    """督办: an order on a slow case, with its own deadline for the lead unit's answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervision_orders")
    text = models.TextField("督办要求")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Raised by the scheduled sweep for the case's deadline `for_due_on` having passed.
    automatic = models.BooleanField(default=False)
    for_due_on = models.DateField(null=True, blank=True)
    answer_due_on = models.DateField("反馈期限")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField("反馈", blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        constraints = [
            # One automatic order per missed deadline, however often the sweep runs.
            models.UniqueConstraint(
                fields=["case", "for_due_on"],
                condition=Q(automatic=True),
                name="supervision_once_per_missed_deadline",
            ),
            models.CheckConstraint(
                condition=Q(automatic=False) | Q(for_due_on__isnull=False),
                name="supervision_automatic_names_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issued_at:%Y-%m-%d} {self.text[:20]}"


class ExtensionRequest(models.Model):
    """延期: asked by the lead unit, granted or refused by a leader."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        GRANTED = "granted", _("已批准")
        REFUSED = "refused", _("不予批准")
        WITHDRAWN = "withdrawn", _("已失效")  # the case closed or merged first

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField("延长天数")
    reason = models.TextField("延期理由")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, default="pending")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField("审批意见", blank=True)
    # For a petition the petitioner must be told of an extension (信访工作条例 Art. 34).
    applicant_told_by = models.CharField("告知信访人方式", max_length=100, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="extension_one_pending"
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="extension_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.days}"


class ClockPause(models.Model):
    """A stretch of time that does not count towards the deadline (鉴定, 听证 …)."""

    class Reason(models.TextChoices):
        APPRAISAL = "appraisal", _("鉴定")
        HEARING = "hearing", _("听证")
        OTHER = "other", _("其他法定事由")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField("中止事由", max_length=20, choices=Reason.choices)
    note = models.TextField("说明", blank=True)
    started_on = models.DateField()
    until = models.DateField("预计恢复日期")
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="pause_one_running"
            ),
            models.CheckConstraint(
                condition=Q(until__gt=models.F("started_on")), name="pause_ends_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.started_on}–{self.until}"


class DeadlineAlert(models.Model):
    """A near-deadline warning sent for one deadline of one case, so it is sent once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    due_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "due_on"], name="alert_once_per_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.due_on}"
