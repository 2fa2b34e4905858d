from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "zongzhi.regions"
    verbose_name = "区划与网格"
