from django.conf import settings
from django.db import models
from django.db.models import Q


class Submission(models.Model):
    """A service request a client system POSTed: the case it became, the token the
    standard hands back, and the first response (a retry with the same Idempotency-Key
    gets exactly that again). The case itself is the cases app's; this is the link."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="open311_submission"
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="对接系统",
        on_delete=models.PROTECT,
        related_name="open311_submissions",
    )
    token = models.CharField(max_length=32, unique=True)
    # The client's Idempotency-Key header, as sent; unique per client (two clients may
    # well both send "1").
    idempotency_key = models.CharField(max_length=200, blank=True)
    # A digest of the posted parameters: the key sent again with other ones is refused.
    body_digest = models.CharField(max_length=64, blank=True, default="")
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "Open311报送"
        verbose_name_plural = "Open311报送"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="open311_one_submission_per_key",
            ),
        ]

    def __str__(self) -> str:
        return self.token
