from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.rules import Target
from zongzhi.regions import rules


class RegionQuerySet(models.QuerySet["Region"]):
    def within(self, prefix: str) -> "RegionQuerySet":
        """Every region in the subtree whose prefix is `prefix`, the root included."""
        return self.filter(prefix__startswith=prefix)

    def grids(self) -> "RegionQuerySet":
        return self.filter(level=Region.Level.GRID)


class Region(models.Model):
    """A place in the hierarchy: province … county, township, village, grid, building."""

    class Level(models.IntegerChoices):
        PROVINCE = rules.Level.PROVINCE.value, _("省")
        CITY = rules.Level.CITY.value, _("市")
        COUNTY = rules.Level.COUNTY.value, _("县")
        TOWNSHIP = rules.Level.TOWNSHIP.value, _("乡镇/街道")
        VILLAGE = rules.Level.VILLAGE.value, _("村/社区")
        GRID = rules.Level.GRID.value, _("网格")
        BUILDING = rules.Level.BUILDING.value, _("楼栋/院落")

    code = models.CharField("代码", max_length=18, unique=True)
    # The significant digits of `code`; a subtree is every region whose prefix starts with it.
    prefix = models.CharField("前缀", max_length=18, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code_is_official = models.BooleanField("国家统计代码", default=True)
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84 lng/lat) of a grid, with its bounding
    # box kept beside it so that "which grid is this point in" is an indexed range query.
    boundary = models.JSONField("边界", null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "区划"
        verbose_name_plural = "区划"
        ordering = ["code"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL uses a b-tree only with the pattern opclass.
            models.Index(
                fields=["prefix"], name="region_prefix_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "prefix"], name="region_level_prefix"),
            models.Index(
                fields=["min_lng", "max_lng", "min_lat", "max_lat"],
                name="region_bbox",
                condition=Q(boundary__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=7), name="region_level_known"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, level=1) | Q(parent__isnull=False, level__gt=1),
                name="region_parent_unless_province",
            ),
            models.CheckConstraint(
                condition=Q(boundary__isnull=True) | Q(level=6),
                name="region_boundary_only_on_grids",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level_enum(self) -> rules.Level:
        return rules.Level(self.level)

    def is_within(self, other: "Region") -> bool:
        return rules.is_within(self.prefix, other.prefix)

    def subtree(self) -> RegionQuerySet:
        return Region.objects.within(self.prefix)

    def scope_target(self) -> Target:
        """Where the region lies for permission checks: its own subtree."""
        return Target(region_prefix=self.prefix)
