"""Notifications: who wants what, each unit's group robot, and the outbox.

The outbox: a case step that notifies writes one `Notification` (what happened, the
message as it reads at that moment) and one `Delivery` per recipient channel (an e-mail
to one person, a POST to one unit's webhook) in the step's own transaction. Nothing is
sent there; the `send_due` task sends every delivery whose time has come, and logs each
try as a `DeliveryAttempt`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.notifications import rules


def _all_events() -> list[str]:
    return [str(e) for e in rules.Event]


class Preference(models.Model):
    """What a person receives by e-mail. No row: everything."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    # The events turned off; an event added later reaches everyone until they turn it off.
    muted = models.JSONField("不接收的通知", default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user}"


class UnitWebhook(models.Model):
    """A unit's group robot (群机器人): where its notifications are posted."""

    class Kind(models.TextChoices):
        # The same values as rules.WebhookKind.
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        FEISHU = "feishu", _("飞书群机器人")
        GENERIC = "generic", _("通用 JSON")

    unit = models.OneToOneField(
        "units.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="webhook"
    )
    kind = models.CharField("机器人类型", max_length=20, choices=Kind.choices)
    url = models.CharField("机器人地址（Webhook 地址）", max_length=rules.URL_MAX_LENGTH)
    # DingTalk's 加签 / Feishu's 签名校验 secret; empty when the robot does not sign.
    secret = models.CharField("加签密钥", max_length=200, blank=True)
    events = models.JSONField("推送的通知", default=_all_events, blank=True)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "单位群机器人"
        verbose_name_plural = "单位群机器人"

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"


class Notification(models.Model):
    """One event to tell people about, with its message fixed as it was then."""

    event = models.CharField("通知", max_length=20)  # rules.Event, or rules.TEST
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The timeline entry it comes from: one notification per entry, however often asked.
    case_event = models.OneToOneField(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField("标题", max_length=200)
    text = models.TextField("内容")  # plain lines; the webhook formats turn them into markdown
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"

    def __str__(self) -> str:
        return self.subject

    @property
    def event_name(self) -> str:
        if self.event in rules.Event:
            return str(rules.EVENT_NAMES[rules.Event(self.event)])
        return str(_("测试消息"))


class Delivery(models.Model):
    """One notification to one recipient channel: an e-mail to a person, or a POST to a
    unit's robot. Sent once; retried with backoff until it goes through or is given up."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        WEBHOOK = "webhook", _("群机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("发送失败")  # given up after the last attempt
        CANCELLED = "cancelled", _("已取消")  # the robot was switched off meanwhile

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    address = models.EmailField(blank=True)
    webhook = models.ForeignKey(
        UnitWebhook, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=rules.MAX_ATTEMPTS)
    # When it may be tried (again); while a worker holds it, the end of that worker's claim.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "通知投递"
        verbose_name_plural = "通知投递"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="email", user__isnull=False, webhook__isnull=True)
                | Q(channel="webhook", webhook__isnull=False, user__isnull=True),
                name="delivery_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["notification", "user"],
                condition=Q(user__isnull=False),
                name="delivery_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["notification", "webhook"],
                condition=Q(webhook__isnull=False),
                name="delivery_once_per_webhook",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.address or self.webhook}"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery, as it went."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # HTTP status
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        verbose_name = "投递记录"
        verbose_name_plural = "投递记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error}"
