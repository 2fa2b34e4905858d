from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "zongzhi.units"
    verbose_name = "单位"
