from datetime import timedelta

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A duration as people say it: "15 分钟", "2 小时"."""
    if value is None:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d 小时", "%(n)d 小时", hours) % {"n": hours}
    return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}
