from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zongzhi.intake"
    verbose_name = "受理辅助"
    default_auto_field = "django.db.models.BigAutoField"
