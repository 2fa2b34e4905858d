from django.db import models

from zongzhi.cases.models import Case


class SuggestionModel(models.Model):
    """One trained version of the category model (`manage.py train_suggestions`, nightly).

    The fitted scikit-learn pipeline is kept in the database as bytes (joblib), so the
    nightly backup, which is the database's, carries it. The newest version that is ready
    answers; older ones stay as the record of how the suggestions did.
    """

    class State(models.TextChoices):
        READY = "ready", "可用"
        TOO_LITTLE = "too_little", "历史数据不足"

    trained_at = models.DateTimeField("训练时间")
    state = models.CharField("状态", max_length=20, choices=State.choices)
    message = models.CharField("说明", max_length=500, blank=True)
    cases = models.PositiveIntegerField("用于训练的已办结事项数", default=0)
    categories = models.JSONField("模型覆盖的二级分类", default=list)
    # Held-out fifth: {"top1_top_level", "top3", "top1", "held_out", "per_category":
    # {code: {"n", "top1", "top3"}}}; empty while too little history.
    evaluation = models.JSONField("评估", default=dict)
    # Which units closed each category's cases at each centre without returning them:
    # {centre_prefix: {category_code: {unit_id: count}}}.
    units = models.JSONField("承办单位统计", default=dict)
    seconds = models.FloatField("训练用时（秒）", default=0)
    blob = models.BinaryField("模型", editable=False, default=b"")

    class Meta:
        verbose_name = "分类建议模型"
        verbose_name_plural = "分类建议模型"
        ordering = ["-trained_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} {self.get_state_display()}"


class CaseWords(models.Model):
    """A case's words (jieba) as same-source detection compares them, kept so that a
    request compares with hundreds of cases without segmenting each again. `digest` is of
    the text they were cut from: a corrected title or description is cut again."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True)
    digest = models.CharField(max_length=16)
    words = models.TextField()

    def __str__(self) -> str:
        return self.words[:50]


class SuspectedDuplicate(models.Model):
    """疑似重复: a case that came in through a door where nobody looked (the portal, the API,
    Open311, a grid worker) and resembles an open or recent case. The centre's triage sees
    it in the work list; the registration's timeline entry keeps the same finding."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="suspected_duplicate"
    )
    of = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.CharField(max_length=200)
    flagged_at = models.DateTimeField()

    class Meta:
        verbose_name = "疑似重复"
        verbose_name_plural = "疑似重复"

    def __str__(self) -> str:
        return f"疑似重复 {self.reasons}"
