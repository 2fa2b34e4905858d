from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "zongzhi.care"
    label = "care"
    verbose_name = "特殊人群服务管理"
    default_auto_field = "django.db.models.BigAutoField"
