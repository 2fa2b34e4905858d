from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zongzhi.core"
    verbose_name = "平台"
