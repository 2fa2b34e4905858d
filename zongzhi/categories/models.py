from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Category(models.Model):
    """A two-level case category (一级/二级分类), edited by administrators."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="一级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "事项分类"
        verbose_name_plural = "事项分类"
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="category_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name

    def clean(self) -> None:
        if self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError({"parent": "分类只有两级：上级必须是一级分类"})
