from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "zongzhi.screening"
    verbose_name = "排查"
    default_auto_field = "django.db.models.BigAutoField"
