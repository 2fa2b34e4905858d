from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zongzhi.cases"
    verbose_name = "事项"
    default_auto_field = "django.db.models.BigAutoField"
