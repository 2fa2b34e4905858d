"""The care registry (特殊人群服务管理): one file and one plan per person in a statutory
care programme (一人一档、一人一策).

Every change goes through zongzhi.care.services; every read of a file through
zongzhi.care.access, which writes the access log.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Target
from zongzhi.care import rules
from zongzhi.core import crypto
from zongzhi.core.models import AppendOnly, AppendOnlyQuerySet
from zongzhi.regions.models import Region

MINOR_PROGRAMMES = [p.code for p in rules.PROGRAMMES.values() if p.for_minors]


class CareFileQuerySet(models.QuerySet["CareFile"]):
    def open(self) -> "CareFileQuerySet":
        return self.filter(closed_on__isnull=True)

    def minors(self, today: date) -> "CareFileQuerySet":
        return self.filter(minor_q(today))


def minor_q(today: date) -> Q:
    """A minor's file: a children's programme, or a person not yet 18 in any programme."""
    return Q(programme__in=MINOR_PROGRAMMES) | Q(minor_until__gte=today)


class CareFile(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    code = models.CharField("档案编号", max_length=20, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    programme = models.CharField("服务类别", max_length=30, choices=rules.PROGRAMME_CHOICES)

    person_name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True)
    # The identity number is stored encrypted; a keyed digest finds a person already on
    # file; the masked form (5304**********1234) is what everyone without the right sees.
    identity_encrypted = models.TextField(blank=True, editable=False)
    identity_index = models.CharField(max_length=64, blank=True, editable=False)
    identity_masked = models.CharField("身份证号码", max_length=18, blank=True, editable=False)
    birth_date_encrypted = models.TextField(blank=True, editable=False)
    # The end of the month in which a minor turns 18 (null for adults): enough to restrict a
    # minor's file without keeping the birth date in the clear.
    minor_until = models.DateField(null=True, blank=True, editable=False)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="现居住地", on_delete=models.PROTECT, related_name="care_files"
    )
    region_prefix = models.CharField(max_length=18, editable=False)
    address = models.CharField("详细地址", max_length=200, blank=True)
    guardian_name = models.CharField("监护人", max_length=50, blank=True)
    guardian_relation = models.CharField("与本人关系", max_length=20, blank=True)
    guardian_phone = models.CharField("监护人电话", max_length=30, blank=True)

    enrolled_on = models.DateField("纳入管理日期")
    expected_end_on = models.DateField("预计结束日期", null=True, blank=True)
    programme_note = models.TextField("服务管理情况", blank=True)

    level = models.CharField("当前等级", max_length=10)
    level_assessed_on = models.DateField("评估日期")
    last_visit_on = models.DateField("最近走访", null=True, blank=True)
    next_visit_due = models.DateField("下次走访截止", null=True, blank=True)

    # While a transfer waits for an answer: the place it is moving to. Both places list the
    # file until the receiving one answers (双列管).
    transfer_to_prefix = models.CharField(max_length=18, blank=True, editable=False)

    closed_on = models.DateField("结案日期", null=True, blank=True)
    closing_reason = models.CharField("结案原因", max_length=30, blank=True)
    closing_note = models.TextField("结案说明", blank=True)
    deidentified_at = models.DateTimeField("去标识化时间", null=True, blank=True)

    created_at = models.DateTimeField("建档时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CareFileQuerySet.as_manager()

    class Meta:
        verbose_name = "特殊人群档案"
        verbose_name_plural = "特殊人群档案"
        ordering = ["next_visit_due", "code"]
        indexes = [
            models.Index(
                fields=["region_prefix"],
                name="carefile_region_like",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["transfer_to_prefix"],
                name="carefile_transfer_like",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["closed_on", "next_visit_due"], name="carefile_open_due"),
            models.Index(fields=["identity_index"], name="carefile_identity"),
        ]
        constraints = [
            # One open file per person per programme.
            models.UniqueConstraint(
                fields=["programme", "identity_index"],
                condition=Q(closed_on__isnull=True) & ~Q(identity_index=""),
                name="carefile_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, next_visit_due__isnull=False)
                | Q(closed_on__isnull=False, next_visit_due__isnull=True),
                name="carefile_open_is_scheduled",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(closing_reason=""),
                name="carefile_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.person_name}"

    def scope_target(self) -> Target:
        return Target(region_prefix=self.region_prefix)

    @property
    def prog(self) -> rules.Programme:
        return rules.programme(self.programme)

    @property
    def programme_name(self) -> str:
        return self.prog.name

    @property
    def level_name(self) -> str:
        return self.prog.level_name(self.level)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def in_transfer(self) -> bool:
        return bool(self.transfer_to_prefix)

    def is_minor(self, today: date) -> bool:
        return self.prog.for_minors or (self.minor_until is not None and self.minor_until >= today)

    def needs_purpose(self, today: date) -> bool:
        """Whether reading the sensitive sections needs a stated purpose."""
        return self.prog.sensitivity != rules.Sensitivity.ORDINARY or self.is_minor(today)

    def is_overdue(self, today: date) -> bool:
        return self.next_visit_due is not None and self.next_visit_due < today

    def full_identity(self) -> str:
        """The decrypted number: only zongzhi.care.access.reveal_identity calls this."""
        return crypto.decrypt(self.identity_encrypted)

    def birth_date(self) -> date | None:
        raw = crypto.decrypt(self.birth_date_encrypted)
        return date.fromisoformat(raw) if raw else None

    def closing_reason_name(self) -> str:
        return self.prog.closing_reason_name(self.closing_reason) if self.closing_reason else ""


class CareTeamMember(models.Model):
    """One member of a file's care team (包保小组). Members with an account read the file;
    others (a family member, a village doctor) are named so the team is complete."""

    class Duty(models.TextChoices):
        LEAD = "lead", _("包保责任人")
        GRID_WORKER = "grid_worker", _("网格员")
        POLICE = "police", _("民警")
        DOCTOR = "doctor", _("精防医生或村医")
        JUSTICE = "justice", _("司法所工作人员")
        SOCIAL_WORKER = "social_worker", _("社工")
        CHILDREN_DIRECTOR = "children_director", _("儿童主任")
        FAMILY = "family", _("家属或监护人")
        VOLUNTEER = "volunteer", _("志愿者")

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="team")
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_teams",
    )
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("电话", max_length=30, blank=True)
    duty = models.CharField("职责", max_length=20, choices=Duty.choices)
    active = models.BooleanField("在组", default=True)
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        verbose_name = "包保小组成员"
        verbose_name_plural = "包保小组成员"
        ordering = ["-active", "duty", "pk"]
        indexes = [models.Index(fields=["user", "active"], name="careteam_user_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["file", "user"],
                condition=Q(active=True, user__isnull=False),
                name="careteam_user_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_duty_display()}）"


class CarePlanItem(models.Model):
    """一人一策: a need, the measure that answers it, and who does it."""

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="plan")
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    need = models.CharField("需求", max_length=200)
    measure = models.TextField("措施")
    who = models.CharField("落实人", max_length=100)
    due_on = models.DateField("完成时限", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    added_on = models.DateField("制定日期")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "帮扶措施"
        verbose_name_plural = "帮扶措施"
        ordering = ["done_on", "due_on", "pk"]

    def __str__(self) -> str:
        return self.need


class CareAssessment(models.Model):
    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField("评估日期")
    level = models.CharField("等级", max_length=10)
    reasons = models.JSONField("评估依据", default=list)
    note = models.TextField("评估说明", blank=True)
    rules_version = models.CharField("走访规则版本", max_length=20)
    next_visit_due = models.DateField("据此确定的下次走访截止")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=50)

    class Meta:
        verbose_name = "风险评估"
        verbose_name_plural = "风险评估"
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.assessed_on} {self.level}"


class CareVisit(models.Model):
    class Method(models.TextChoices):
        HOME = "home", _("入户走访")
        PHONE = "phone", _("电话随访")
        CENTRE = "centre", _("来中心面谈")
        VIDEO = "video", _("视频随访")

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="visits")
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    visited_on = models.DateField("走访日期")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    seen = models.TextField("走访情况")
    needs_raised = models.TextField("提出的需求", blank=True)
    follow_up = models.TextField("后续跟进", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField("走访人", max_length=50)
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["file", "-visited_on"], name="carevisit_file_date")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_method_display()}"


class CareAssistance(models.Model):
    class Kind(models.TextChoices):
        SUBSISTENCE = "subsistence", _("最低生活保障（低保）")
        TEMPORARY = "temporary", _("临时救助")
        GUARDIAN_ALLOWANCE = "guardian_allowance", _("监护补贴")
        MEDICAL = "medical", _("医疗救治")
        EXTREME_POVERTY = "extreme_poverty", _("特困供养")
        DISABILITY = "disability", _("残疾人两项补贴")
        EDUCATION = "education", _("教育资助")
        EMPLOYMENT = "employment", _("就业帮扶")
        OTHER = "other", _("其他")

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="assistance")
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    kind = models.CharField("救助类别", max_length=30, choices=Kind.choices)
    amount = models.DecimalField(
        "金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    granted_on = models.DateField("发放日期")
    note = models.CharField("说明", max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "救助帮扶"
        verbose_name_plural = "救助帮扶"
        ordering = ["-granted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="careassist_amount"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.granted_on}"


class CareTransfer(models.Model):
    """A file moving with its person to another place (双列管 until answered)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待接收")
        ACCEPTED = "accepted", _("已接收")
        DECLINED = "declined", _("已退回")

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="transfers")
    from_region = models.ForeignKey(
        Region, verbose_name="转出地", on_delete=models.PROTECT, related_name="+"
    )
    from_prefix = models.CharField(max_length=18)
    to_region = models.ForeignKey(
        Region, verbose_name="转入地", on_delete=models.PROTECT, related_name="+"
    )
    to_prefix = models.CharField(max_length=18)
    new_address = models.CharField("新住址", max_length=200, blank=True)
    reason = models.TextField("转移原因")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="pending")
    proposed_at = models.DateTimeField("发起时间")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by_name = models.CharField(max_length=50)
    answer_due_on = models.DateField("答复期限")
    escalated_at = models.DateTimeField("已提请督导", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_by_name = models.CharField(max_length=50, blank=True)
    decline_reason = models.TextField("退回理由", blank=True)
    # What the two sides read of each other's transfer history without reading the file.
    person_name = models.CharField(max_length=50)
    identity_masked = models.CharField(max_length=18, blank=True)
    programme = models.CharField(max_length=30, choices=rules.PROGRAMME_CHOICES)

    class Meta:
        verbose_name = "档案转移"
        verbose_name_plural = "档案转移"
        ordering = ["-proposed_at"]
        indexes = [
            models.Index(
                fields=["to_prefix", "status"],
                name="caretransfer_to",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["from_prefix", "status"],
                name="caretransfer_from",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["file"], condition=Q(status="pending"), name="caretransfer_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="caretransfer_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} {self.from_region} → {self.to_region}"

    @property
    def programme_name(self) -> str:
        return rules.programme(self.programme).name


class CareAlert(models.Model):
    """A warning the schedule raised: a missed visit (to the team; after the grace days to
    the supervisors too), or a transfer nobody answered (to the receiving supervisors)."""

    class Kind(models.TextChoices):
        VISIT_MISSED = "visit_missed", _("走访逾期")
        VISIT_ESCALATED = "visit_escalated", _("走访逾期，已提请督导")
        TRANSFER_UNANSWERED = "transfer_unanswered", _("转移超时未接收，已提请督导")

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField("提醒", max_length=30, choices=Kind.choices)
    for_date = models.DateField("对应日期")  # the missed due date, or the answer deadline
    # Who the alert is for: the team (to_supervisors false) or the supervisors of this place.
    to_supervisors = models.BooleanField(default=False)
    region_prefix = models.CharField(max_length=18)
    raised_at = models.DateTimeField("提醒时间")
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["file", "kind", "for_date"], name="carealert_once")
        ]
        indexes = [models.Index(fields=["cleared_at", "kind"], name="carealert_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.for_date}"


class CareAccess(AppendOnly):
    """The access log: every read of a file, by whom, how, and why."""

    class What(models.TextChoices):
        FILE = "file", _("查阅档案")
        SENSITIVE = "sensitive", _("查阅敏感内容")
        IDENTITY = "identity", _("查看完整身份证号码")
        EXPORT = "export", _("导出")
        EMERGENCY = "emergency", _("紧急查阅")
        TRANSFER = "transfer", _("查阅转移申请")

    class Via(models.TextChoices):
        PAGE = "page", _("页面")
        API = "api", _("接口")
        EXPORT = "export", _("导出文件")

    at = models.DateTimeField("时间")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user_name = models.CharField("查阅人", max_length=50)
    file = models.ForeignKey(CareFile, on_delete=models.PROTECT, related_name="accesses")
    what = models.CharField("内容", max_length=20, choices=What.choices)
    via = models.CharField("途径", max_length=10, choices=Via.choices)
    purpose = models.CharField("目的", max_length=20, choices=rules.PURPOSE_CHOICES, blank=True)
    purpose_note = models.CharField("目的说明", max_length=200, blank=True)
    emergency = models.BooleanField("紧急查阅", default=False)

    objects = AppendOnlyQuerySet["CareAccess"].as_manager()

    class Meta:
        verbose_name = "查阅记录"
        verbose_name_plural = "查阅记录"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["file", "-at"], name="careaccess_file"),
            models.Index(fields=["user", "-at"], name="careaccess_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} {self.get_what_display()} {self.at:%Y-%m-%d %H:%M}"


class CareEmergencyAccess(models.Model):
    """A supervisor outside the file's place reading it in an emergency: stated reason,
    a few hours, and a review by the file's own supervisors afterwards."""

    file = models.ForeignKey(CareFile, on_delete=models.CASCADE, related_name="emergencies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    user_name = models.CharField(max_length=50)
    reason = models.TextField("理由")
    granted_at = models.DateTimeField("开始时间")
    expires_at = models.DateTimeField("失效时间")
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = "紧急查阅"
        verbose_name_plural = "紧急查阅"
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "expires_at"], name="careemergency_user")]

    def __str__(self) -> str:
        return f"{self.user_name} {self.granted_at:%Y-%m-%d %H:%M}"


class CareEvent(AppendOnly):
    """The file's timeline: every change, by whom, when. A note holds only what the
    service writes from structured data (a level, a place): free text about the person
    lives in the records that de-identification blanks, never here."""

    class Kind(models.TextChoices):
        ENROL = "enrol", _("建档")
        ASSESS = "assess", _("风险评估")
        VISIT = "visit", _("走访")
        PLAN = "plan", _("制定措施")
        PLAN_DONE = "plan_done", _("措施落实")
        ASSIST = "assist", _("救助帮扶")
        TEAM = "team", _("调整包保小组")
        TRANSFER_PROPOSED = "transfer_proposed", _("发起转移")
        TRANSFER_ACCEPTED = "transfer_accepted", _("转入地接收")
        TRANSFER_DECLINED = "transfer_declined", _("转入地退回")
        TRANSFER_ESCALATED = "transfer_escalated", _("转移超时，提请督导")
        VISIT_MISSED = "visit_missed", _("走访逾期提醒")
        VISIT_ESCALATED = "visit_escalated", _("走访逾期，提请督导")
        EMERGENCY = "emergency", _("紧急查阅")
        EMERGENCY_REVIEWED = "emergency_reviewed", _("紧急查阅已复核")
        CLOSE = "close", _("结案")
        DEIDENTIFY = "deidentify", _("去标识化")

    file = models.ForeignKey(CareFile, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField("时间")
    kind = models.CharField("事项", max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=50)
    note = models.TextField("说明", blank=True)
    data: Any = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet["CareEvent"].as_manager()

    class Meta:
        verbose_name = "档案动态"
        verbose_name_plural = "档案动态"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["file", "at"], name="careevent_file_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
