from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from zongzhi.notifications.services import may_see_webhook
from zongzhi.units.models import Unit

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_webhook_link(context: dict[str, Any], unit: Unit) -> SafeString | str:
    """A link to the unit's robot settings, for those who may see them."""
    request = context.get("request")
    if request is None or not may_see_webhook(request.user, unit):
        return ""
    return format_html(
        '<a role="button" class="secondary" href="{}">{}</a>',
        reverse("notifications:unit_webhook", args=[unit.pk]),
        gettext("群机器人通知"),
    )
