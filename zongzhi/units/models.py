from django.db import models
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Target
from zongzhi.regions.models import Region


class Unit(models.Model):
    """A body that owns work: a department, a station, a mediation committee, a centre.

    A unit sits at a region of its level (a county bureau at the county, a police station
    at its township, a village mediation committee at its village) and is competent for
    some categories of cases (谁主管、谁负责).
    """

    class Kind(models.TextChoices):
        CENTRE = "centre", _("综治中心")
        POLICE = "police", _("公安/派出所")
        JUSTICE = "justice", _("司法局/司法所")
        PETITION = "petition", _("信访")
        HUMAN_RESOURCES = "human_resources", _("人力资源和社会保障")
        HOUSING = "housing", _("住房和城乡建设")
        NATURAL_RESOURCES = "natural_resources", _("自然资源")
        HEALTH = "health", _("卫生健康")
        CIVIL_AFFAIRS = "civil_affairs", _("民政")
        MARKET_REGULATION = "market_regulation", _("市场监督管理")
        ENVIRONMENT = "environment", _("生态环境")
        SCHOOL = "school", _("中心学校/教育")
        HEALTH_CENTRE = "health_centre", _("卫生院")
        MEDIATION_COMMITTEE = "mediation_committee", _("人民调解委员会")
        COURT = "court", _("人民法院/法庭")
        OTHER = "other", _("其他")

    # A unit belongs to the county, a township or a village; not to a grid or building.
    LEVELS = (Region.Level.COUNTY, Region.Level.TOWNSHIP, Region.Level.VILLAGE)

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=30, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="units"
    )
    competent_categories = models.ManyToManyField(
        "categories.Category",
        verbose_name="主管事项分类",
        blank=True,
        related_name="competent_units",
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["region__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_target(self) -> Target:
        """Where the unit lies for permission checks: its region, and itself as the one
        unit that owns it (so a handler's unit-held role covers their own unit)."""
        return Target(region_prefix=self.region.prefix, unit_ids=frozenset({self.pk}))
