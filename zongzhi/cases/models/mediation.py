"""Mediation sessions and the agreement they may end in (人民调解法 Art. 28–29)."""

from django.conf import settings
from django.db import models

from zongzhi.cases.models.case import Case
from zongzhi.units.models import Unit


class MediationSession(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediation_sessions")
    held_on = models.DateField("调解日期")
    place = models.CharField("调解地点", max_length=200)
    mediators = models.CharField("调解员", max_length=200)
    parties_present = models.CharField("到场当事人", max_length=300)
    record = models.TextField("调解记录")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class MediationAgreement(models.Model):
    """调解协议书. The law (Art. 29) asks for the parties' particulars; the main facts, the
    matters in dispute and each party's responsibility; and what was agreed, with how and
    by when it is to be performed. The parties are copied in as they were when it was made."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    number = models.CharField("协议编号", max_length=160, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    committee = models.ForeignKey(Unit, verbose_name="人民调解委员会", on_delete=models.PROTECT)
    parties = models.JSONField("当事人")
    facts = models.TextField("纠纷主要事实、争议事项及各方责任")
    terms = models.TextField("协议内容")
    performance = models.TextField("履行方式、期限")
    mediators = models.CharField("人民调解员", max_length=200)
    made_on = models.DateField("签订日期")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["made_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "sequence"], name="agreement_number_once"
            )
        ]

    def __str__(self) -> str:
        return self.number
