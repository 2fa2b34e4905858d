from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "zongzhi.briefings"
    verbose_name = "涉稳信息日报"
    default_auto_field = "django.db.models.BigAutoField"
