from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zongzhi.demo"
    verbose_name = "演示县"
