"""What production refuses to start without (`manage.py check --deploy`, which `make serve`
runs first, and `run_all --web gunicorn`). The secret key and the field keys are refused
by the settings themselves when DJANGO_DEBUG is false; these are what is left."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.DEBUG:
        # With DEBUG on, the demo's secret key and field key are used: a server that looks
        # deployed would sign sessions and encrypt identity numbers with published keys.
        errors.append(
            Error(
                "DJANGO_DEBUG is on: production needs DJANGO_DEBUG=false with "
                "DJANGO_SECRET_KEY, ZONGZHI_FIELD_KEYS and DJANGO_ALLOWED_HOSTS (README)",
                id="zongzhi.E001",
            )
        )
    elif not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "DJANGO_ALLOWED_HOSTS is empty: every request would be refused with 400",
                id="zongzhi.E002",
            )
        )
    return errors
