from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zongzhi.hazards"
    verbose_name = "风险隐患"
    default_auto_field = "django.db.models.BigAutoField"
