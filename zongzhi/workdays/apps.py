from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "zongzhi.workdays"
    verbose_name = "工作日历"
