from django.db import models


class Throttle(models.Model):
    """One sender's recent attempts under one limit (rules.LIMITS), shared by every web
    worker because it lives in the database.

    The sender is kept only as a keyed digest (HMAC with the site's secret key) of their
    network address, phone number or tracking code: enough to count, not enough to know
    who, and nothing to list. A row is useless once its newest hit has left the window
    (`expires_at`) and is deleted then.
    """

    scope = models.CharField(max_length=20)
    digest = models.CharField(max_length=64)
    # Epoch seconds of the admitted attempts still inside the window, oldest first.
    hits = models.JSONField(default=list)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "digest"], name="portal_throttle_one_row")
        ]
        indexes = [models.Index(fields=["expires_at"], name="portal_throttle_expires")]

    def __str__(self) -> str:
        return f"{self.scope} {self.digest[:8]}… ({len(self.hits)})"
