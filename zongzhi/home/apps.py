from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "zongzhi.home"
    verbose_name = "首页"
