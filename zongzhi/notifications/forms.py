from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zongzhi.notifications import rules
from zongzhi.notifications.models import UnitWebhook

EVENT_CHOICES = [(e.value, rules.EVENT_NAMES[e]) for e in rules.Event]


class PreferencesForm(forms.Form):
    events = forms.MultipleChoiceField(
        label=_("通过邮件接收"),
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class WebhookForm(forms.Form):
    kind = forms.ChoiceField(label=_("机器人类型"), choices=UnitWebhook.Kind.choices)
    url = forms.CharField(
        label=_("机器人地址（Webhook 地址）"),
        max_length=rules.URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    secret = forms.CharField(
        label=_("加签密钥"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("钉钉“加签”或飞书“签名校验”的密钥；留空则保留已保存的密钥"),
    )
    clear_secret = forms.BooleanField(label=_("清除已保存的密钥"), required=False)
    events = forms.MultipleChoiceField(
        label=_("推送的通知"),
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("启用"), required=False)

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        problem = rules.url_problem(url)
        if problem is not None:
            raise forms.ValidationError(problem)
        return url

    def secret_to_save(self) -> str | None:
        """None keeps the stored secret; "" clears it."""
        data: dict[str, Any] = self.cleaned_data
        if data.get("clear_secret"):
            return ""
        return data.get("secret") or None
