from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zongzhi.accounts"
    verbose_name = "人员与角色"
