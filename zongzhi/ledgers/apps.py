from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "zongzhi.ledgers"
    verbose_name = "台账"
    default_auto_field = "django.db.models.BigAutoField"
