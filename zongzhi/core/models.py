from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """One period of one scheduled job, claimed by the scheduler that enqueued it.

    The unique constraint is the claim: when two schedulers run (a restart overlapping,
    two servers), only one of them inserts the row for a period, so the job is enqueued
    once per period.
    """

    name = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period_start"], name="periodic_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.period_start:%Y-%m-%d %H:%M}"


class AppendOnlyQuerySet[M: models.Model](models.QuerySet[M]):
    """A timeline's rows: added, never updated or deleted in bulk."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("the timeline is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the timeline is append-only")


class AppendOnly(models.Model):
    """A timeline entry (a case's, a hazard's): once written, never rewritten or removed.

    A guard, not logic: the services only ever add entries, and this makes a slip loud."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the timeline is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the timeline is append-only")


class RateWindow(models.Model):
    """How many requests one bucket (an API key's writes) made in one fixed window.

    Counted in the database, so that every web process counts against one limit (the
    project has no shared cache); a row per bucket per window, pruned once old."""

    bucket = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_window_once")
        ]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.window_start:%H:%M}: {self.count}"


class AuditQuerySet(AppendOnlyQuerySet["AuditEntry"]):
    def prune_before(self, cutoff: Any) -> int:
        """The one way entries go: those older than the kept period (core.audit.prune)."""
        deleted, _ = models.QuerySet.delete(self.filter(at__lt=cutoff))
        return deleted


class AuditEntry(AppendOnly):
    """Who did what that an inspection may ask about: sign-ins and failures, exports,
    API keys made and used, roles changed, a case's parties read from outside its units.

    Written through core.audit.record only, never changed; kept ZONGZHI_AUDIT_DAYS. The
    actor is kept as id, username and name, not a foreign key, so that an entry outlives
    its account unchanged. It holds no personal data but the actor's: a case by its code,
    never a party's name."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("登录")
        SIGN_IN_FAILED = "sign_in_failed", _("登录失败")
        EXPORT = "export", _("导出")
        API_KEY_CREATED = "api_key_created", _("创建接口密钥")
        API_KEY_USED = "api_key_used", _("使用接口密钥")
        ROLE_GRANTED = "role_granted", _("授予角色")
        ROLE_CHANGED = "role_changed", _("修改角色")
        ROLE_REVOKED = "role_revoked", _("撤销角色")
        PARTY_READ = "party_read", _("单位外查阅当事人")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("启用两步验证")
        TWO_FACTOR_REMOVED = "two_factor_removed", _("关闭两步验证")
        TWO_FACTOR_RESET = "two_factor_reset", _("重置两步验证")
        RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("重新生成恢复码")

    at = models.DateTimeField("时间", db_index=True)
    # Free text beside the kinds above: later kinds (two-factor events) need no migration.
    action = models.CharField("事件", max_length=40)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField("账号", max_length=150, blank=True)
    actor_name = models.CharField("人员", max_length=100, blank=True)
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    address = models.CharField("来源地址", max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "at"], name="audit_action_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.target}"

    def kind_label(self) -> str:
        try:
            return str(self.Kind(self.action).label)
        except ValueError:
            return self.action


class ProcessHeartbeat(models.Model):
    """A background process's sign of life, rewritten every few seconds: a task worker, the
    scheduler, or a job that says when it last completed (the deadline sweep).

    One row per process (`instance`: the worker's id, or host:pid), so two workers never
    overwrite each other's beat and a task's lease can ask whether *its* worker still lives;
    /healthz reads the freshest row of each name."""

    name = models.CharField(max_length=50)
    instance = models.CharField(max_length=100, blank=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "instance"], name="heartbeat_one_per_process")
        ]
        indexes = [models.Index(fields=["name", "-beat_at"], name="heartbeat_freshest")]

    def __str__(self) -> str:
        return f"{self.name} {self.instance} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class HealthAlert(models.Model):
    """A stale check the administrators were told about: one row per stale episode. The
    unique name is the claim (two watchers mail once); the row goes when the check is fresh
    again, so the next episode is mailed anew."""

    name = models.CharField(max_length=50, unique=True)
    raised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} stale since {self.raised_at:%Y-%m-%d %H:%M}"
