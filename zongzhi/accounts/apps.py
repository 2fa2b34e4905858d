from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zongzhi.accounts"
    verbose_name = "人员与角色"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from zongzhi.accounts import signals
        from zongzhi.accounts.middleware import on_login
        from zongzhi.core import audit

        user_logged_in.connect(on_login, dispatch_uid="zongzhi_second_step")
        # Changes to how a person signs in go into the audit log, in the change's own
        # transaction (the signals are sent inside it).
        for signal, kind in (
            (signals.password_changed, audit.Kind.PASSWORD_CHANGED),
            (signals.two_factor_enrolled, audit.Kind.TWO_FACTOR_ENROLLED),
            (signals.two_factor_removed, audit.Kind.TWO_FACTOR_REMOVED),
            (signals.two_factor_reset, audit.Kind.TWO_FACTOR_RESET),
            (signals.recovery_codes_regenerated, audit.Kind.RECOVERY_CODES_REGENERATED),
        ):
            signal.connect(audit.on_account_change(kind), weak=False, dispatch_uid=f"audit_{kind}")
        # django-otp's own admin pages would show every person's authenticator secret to
        # staff; devices are reset with the user admin's action instead.
        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
