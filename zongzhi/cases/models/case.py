from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Action, Target
from zongzhi.cases import rules
from zongzhi.core.models import AppendOnly, AppendOnlyQuerySet
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit


def overdue_q(today: date) -> Q:
    """Late: still owed, its deadline passed, and its clock running (not paused)."""
    return Q(status__in=list(rules.OPEN), due_on__lt=today, paused_since__isnull=True)


class CaseQuerySet(models.QuerySet["Case"]):
    def counted(self) -> "CaseQuerySet":
        """Cases as they are counted: a duplicate merged into another counts there, once."""
        return self.exclude(status=rules.Status.MERGED)

    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=rules.OPEN)

    def overdue(self, today: date) -> "CaseQuerySet":
        return self.filter(overdue_q(today))


class Case(models.Model):
    """A dispute or request (事项), registered once and followed to its archive."""

    class Channel(models.TextChoices):
        VISIT = "visit", _("来访")
        PHONE = "phone", _("来电")
        LETTER = "letter", _("来信")
        GRID = "grid", _("网格员上报")
        HOTLINE = "hotline", _("12345热线")
        ONLINE = "online", _("网上")
        TRANSFER = "transfer", _("部门移交")
        SCREENING = "screening", _("排查发现")
        PETITION = "petition", _("信访转入")
        API = "api", _("API")
        # 历史导入: brought in from the centre's earlier ledger (ledgers.case_import), so
        # that the figures' breakdown by channel tells history from today's intake. The
        # ledger's own 来源渠道 is kept in the import's timeline entry.
        LEDGER = "ledger", _("历史导入")

    # The statuses are the state machine's (rules.Status), with their display names.
    Status = models.TextChoices(  # type: ignore[call-overload]
        "Status", [(s.name, (s.value, rules.STATUS_NAMES[s])) for s in rules.Status]
    )

    class Risk(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")
        MAJOR = "major", _("重大")

    class Outcome(models.TextChoices):
        MEDIATED = "mediated", _("调解成功")
        PARTLY = "partly", _("部分达成")
        NOT_MEDIATED = "not_mediated", _("调解不成，已告知诉讼/仲裁途径")
        HANDLED = "handled", _("依法处理")
        EXPLAINED = "explained", _("解释说明")
        UNFOUNDED = "unfounded", _("不属实")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    class PetitionStage(models.TextChoices):
        NONE = "", _("非信访事项")
        ORIGINAL = "original", _("信访事项")
        REVIEW = "review", _("复查")
        RE_REVIEW = "re_review", _("复核")

    code = models.CharField("查询码", max_length=20, unique=True)
    # The client's key for this submission, so that a retried form or API call finds the
    # case it already created instead of creating a second one.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # A digest of the request that used the key (core.services.body_digest): the same key
    # with another body is refused (409) rather than answered with this record.
    idempotency_digest = models.CharField(max_length=64, blank=True, default="")
    # An imported case's row, by what it says (ledgers.case_import.content_key): importing
    # the same ledger again finds it here and adds nothing. Empty for every other case.
    ledger_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices)
    category = models.ForeignKey(
        "categories.Category", verbose_name="事项分类", on_delete=models.PROTECT
    )
    title = models.CharField("事项标题", max_length=100)
    description = models.TextField("事项描述")

    region = models.ForeignKey(
        Region, verbose_name="发生地", on_delete=models.PROTECT, related_name="cases"
    )
    # The region's prefix, kept beside it so that scope filters need no join.
    region_prefix = models.CharField(max_length=18, editable=False)
    address = models.CharField("详细地址", max_length=200, blank=True)
    # What the work list's search box finds the case by (`cases.search.search_text`): code,
    # title, description, address, parties' names and phone digits, lower-cased. Kept by
    # the services whenever one of those changes; trigram-indexed on PostgreSQL.
    search_text = models.TextField(blank=True, db_default="", editable=False)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # The centre (township or county) that currently answers for the case; 上报 moves it up.
    centre = models.ForeignKey(
        Region, verbose_name="责任综治中心", on_delete=models.PROTECT, related_name="+"
    )
    centre_prefix = models.CharField(max_length=18, editable=False)

    people_count = models.PositiveIntegerField("涉及人数", default=1)
    amount = models.DecimalField(
        "涉及金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    risk_level = models.CharField("风险等级", max_length=10, choices=Risk.choices, default="low")
    risk_reasons = models.TextField("风险原因", blank=True)
    threat_of_violence = models.BooleanField("有暴力倾向", default=False)
    threat_of_self_harm = models.BooleanField("有自伤自杀倾向", default=False)

    status = models.CharField(max_length=20, choices=Status.choices, default="registered")
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    outcome = models.CharField("办结结果", max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("办结情况", blank=True)
    satisfaction = models.CharField(
        "回访满意度", max_length=20, choices=Satisfaction.choices, blank=True
    )

    petition_stage = models.CharField(
        "信访环节", max_length=20, choices=PetitionStage.choices, blank=True, default=""
    )
    review_of = models.ForeignKey(
        "self",
        verbose_name="复查/复核的事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )

    # Deadlines, as the policy in force at registration counts them (a later policy change
    # does not move them). `due_on` is the current stage's limit: acceptance while the case
    # waits for a decision, handling afterwards; empty once nothing is owed.
    policy = models.ForeignKey(
        "cases.DeadlinePolicy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counting = models.CharField("计时方式", max_length=20)
    accept_days = models.PositiveSmallIntegerField("受理时限")
    handle_days = models.PositiveSmallIntegerField("办理时限")
    warn_days = models.PositiveSmallIntegerField("预警提前天数")
    due_on = models.DateField("办理期限", null=True, blank=True)
    # The deadline the case was closed against (办结 clears due_on): whether it was closed on
    # time stays known for the figures (按期办结率).
    closed_due_on = models.DateField("办结时的办理期限", null=True, blank=True)
    paused_since = models.DateField("中止计时自", null=True, blank=True)

    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    related = models.ManyToManyField("self", verbose_name="关联事项", blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项"
        ordering = ["-registered_at"]
        indexes = [
            # A subtree's cases by prefix. It carries what the work lists filter and sort
            # on, so that a township's list finds its page and counts its cases from the
            # index alone instead of reading thousands of rows spread over the table.
            models.Index(
                fields=["region_prefix"],
                name="case_region_like",
                opclasses=["varchar_pattern_ops"],
                include=["status", "due_on", "registered_at", "centre_prefix", "paused_since"],
            ),
            models.Index(
                fields=["centre_prefix"], name="case_centre_like", opclasses=["varchar_pattern_ops"]
            ),
            # Overdue now, anywhere: counted from the index alone (a province's is 200,000).
            models.Index(
                fields=["status", "due_on"],
                name="case_status_due",
                include=["region_prefix", "paused_since"],
            ),
            models.Index(fields=["lead_unit", "status"], name="case_lead_status"),
            models.Index(fields=["-registered_at"], name="case_registered"),
            # Open311's public list: what came in through one door, newest first.
            models.Index(fields=["channel", "-registered_at"], name="case_channel_registered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in rules.Status]), name="case_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="case_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="case_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(lead_unit__isnull=True)
                | Q(status__in=["dispatched", "in_progress", "closed", "visited", "archived"]),
                name="case_lead_unit_only_once_dispatched",
            ),
            models.CheckConstraint(
                condition=Q(people_count__gte=1), name="case_people_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="case_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(petition_stage__in=["", "original"], review_of__isnull=True)
                | Q(petition_stage__in=["review", "re_review"], review_of__isnull=False),
                name="case_review_names_its_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def status_enum(self) -> rules.Status:
        return rules.Status(self.status)

    @property
    def is_group(self) -> bool:
        return rules.is_group(self.people_count)

    @property
    def is_urgent(self) -> bool:
        return self.threat_of_violence or self.threat_of_self_harm

    @property
    def is_petition(self) -> bool:
        return bool(self.petition_stage)

    def unit_ids(self) -> frozenset[int]:
        # `assignments` is prefetched on pages and lists; this reads the prefetch.
        return frozenset(a.unit_id for a in self.assignments.all())

    def scope_target(self) -> Target:
        """Where the case lies for permission checks: its place, and the units on it."""
        return Target(region_prefix=self.region_prefix, unit_ids=self.unit_ids())

    def centre_target(self) -> Target:
        """The centre's work (受理, 派单, 回访 …) belongs to the centre now answering for it."""
        return Target(region_prefix=self.centre_prefix)

    def target_for(self, action: Action) -> Target:
        """What `action` on this case is checked against: the centre for its work, else
        the case's place and units."""
        if action in {Action.TRIAGE_CASE, Action.VISIT_CASE}:
            return self.centre_target()
        return self.scope_target()


class Assignment(models.Model):
    """A unit on a case now: the lead (主办), a co-unit (协办) or a summoned unit (吹哨报到).

    This table is the present; the timeline keeps the past (a unit that returned a case
    leaves its row here and keeps its entries there).
    """

    class Kind(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")
        SUMMONED = "summoned", _("吹哨报到")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    since = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="assignment_one_row_per_unit"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="lead"), name="assignment_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["unit", "case"], name="assignment_unit_case")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_kind_display()})"


class Party(models.Model):
    """A person or organisation in the case, with their role and contact."""

    class Kind(models.TextChoices):
        PERSON = "person", _("个人")
        ORGANISATION = "organisation", _("组织")

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人/反映人")
        RESPONDENT = "respondent", _("被申请人")
        OTHER = "other", _("其他当事人")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default="person")
    role = models.CharField("身份", max_length=20, choices=Role.choices)
    name = models.CharField("姓名/名称", max_length=100)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    # The phone's digits only (`cases.search.digits`), written with it by the services: a
    # number typed as "138 0013-8000" finds the party through a plain btree lookup.
    phone_digits = models.CharField(max_length=30, blank=True, db_default="", editable=False)
    address = models.CharField("住址", max_length=200, blank=True)
    # 身份证号, as the care registry keeps it (core.crypto, core.identity): encrypted at
    # rest, shown masked (5304**********1234); never in the clear in the timeline.
    identity_encrypted = models.TextField(blank=True, editable=False)
    identity_masked = models.CharField("身份证号码", max_length=18, blank=True, editable=False)

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["pk"]  # as registered: the applicant first
        indexes = [
            models.Index(
                fields=["phone_digits"], name="party_phone_digits", condition=~Q(phone_digits="")
            )
        ]

    def __str__(self) -> str:
        return self.name


class Attachment(models.Model):
    """A file on a case (照片、PDF、文档、录音). Stored under a random name, never served
    from MEDIA_URL: only `views.attachment_file` streams it, after the case's scope check.
    `content_type` is the kind the bytes were found to be (cases.files), not the sender's."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    # A photo's small JPEG for the case page (cases.files.make_thumbnail), made when it came
    # (or, for a photo attached before thumbnails were made, when it is first shown).
    thumbnail = models.FileField(upload_to="cases/thumbs/%Y/%m/", blank=True)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The name as it was at the time, as the timeline keeps it.
    uploaded_by_name = models.CharField("上传人", max_length=100, blank=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """A photo, shown by its thumbnail. By the kind its bytes were found to be: a
        photo attached before thumbnails were made has none yet, and gets it when first
        shown (`services.attachments.thumbnail_of`)."""
        return self.content_type.startswith("image/")

    @property
    def kind_label(self) -> str:
        from zongzhi.cases.files import KINDS

        kind = KINDS.get(self.content_type)
        return kind.label if kind else self.content_type


PARTY_FIELD_LABELS = {
    "name": _("姓名/名称"),
    "role": _("身份"),
    "kind": _("类型"),
    "phone": _("联系电话"),
    "address": _("住址"),
}


class CaseEvent(AppendOnly):
    """One entry of a case's timeline. Entries are only ever added."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=30, choices=[(s.value, s.value) for s in rules.Step])
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The name as it was at the time ("系统" for the scheduled sweep).
    actor_name = models.CharField(max_length=100)
    unit = models.ForeignKey(Unit, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet["CaseEvent"].as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="case_event_case_at"),
            # Feeds of what happened in a period (Open311's servicerequestupdates).
            models.Index(fields=["at"], name="case_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.step_name} {self.at:%Y-%m-%d %H:%M}"

    @property
    def step_name(self) -> str:
        return str(rules.STEPS[rules.Step(self.step)].name)

    @property
    def changes_shown(self) -> list[tuple[str, str, str]]:
        """An 更正's or a party edit's changes as the timeline shows them: (label,
        before, after), e.g. ("分类", "邻里纠纷", "劳资纠纷")."""
        labels: dict[str, Any] = (
            PARTY_FIELD_LABELS if self.step in rules.PARTY_STEPS else rules.CORRECTABLE
        )
        coded: dict[str, Any] = {"role": Party.Role, "kind": Party.Kind}

        def shown(field: str, value: str) -> str:
            choices = coded.get(field)
            if choices is not None and value in choices.values:
                return str(choices(value).label)
            return value

        return [
            (
                str(labels.get(c["field"], c["field"])),
                shown(c["field"], c["before"]),
                shown(c["field"], c["after"]),
            )
            for c in (self.data or {}).get("changes", [])
        ]

    @property
    def party_role_shown(self) -> str:
        role = (self.data or {}).get("role", "")
        return str(Party.Role(role).label) if role in Party.Role.values else role
