from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zongzhi.accounts"
    verbose_name = "人员与角色"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from zongzhi.accounts.middleware import on_login

        user_logged_in.connect(on_login, dispatch_uid="zongzhi_second_step")
        # django-otp's own admin pages would show every person's authenticator secret to
        # staff; devices are reset with the user admin's action instead.
        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
