from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zongzhi.core"
    verbose_name = "平台"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from zongzhi.core import (
            audit,
            checks,  # noqa: F401 (registers the production checks)
        )
        from zongzhi.core.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="zongzhi.core.start_idle_clock")
        # Django's own signals: every way in (the login page, the admin's) is recorded.
        user_logged_in.connect(audit.on_sign_in, dispatch_uid="zongzhi.core.audit.sign_in")
        user_login_failed.connect(
            audit.on_sign_in_failed, dispatch_uid="zongzhi.core.audit.sign_in_failed"
        )
