from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zongzhi.core"
    verbose_name = "平台"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from zongzhi.core import checks  # noqa: F401 (registers the production checks)
        from zongzhi.core.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="zongzhi.core.start_idle_clock")
