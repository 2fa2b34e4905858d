"""The portal's forms: plain words, one error per field, every message naming the field."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.portal import rules, services
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level

HONEYPOT = "homepage"


def active_categories() -> list[Category]:
    """Second-level categories a resident may choose: active, under an active parent."""
    return list(
        Category.objects.filter(parent__isnull=False, is_active=True, parent__is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )


def townships() -> Any:
    return Region.objects.filter(level=Level.TOWNSHIP).select_related("parent").order_by("code")


def villages_of(township: Region | None) -> Any:
    if township is None:
        return Region.objects.none()
    return Region.objects.filter(parent=township, level=Level.VILLAGE).order_by("code")


class TownshipField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SubmitForm(forms.Form):
    ticket = forms.CharField(widget=forms.HiddenInput)
    category = forms.TypedChoiceField(
        label=_("反映什么问题"),
        coerce=int,
        error_messages={
            "required": _("请选择问题类别"),
            "invalid_choice": _("问题类别不可用，请重新选择"),
        },
    )
    township = TownshipField(
        label=_("乡镇/街道"),
        queryset=Region.objects.none(),
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择发生在哪个乡镇/街道"),
            "invalid_choice": _("请从列表中选择乡镇/街道"),
        },
    )
    village = forms.ModelChoiceField(
        label=_("村/社区"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("不清楚或不选"),
        error_messages={"invalid_choice": _("所选村/社区不在该乡镇/街道，请重新选择")},
    )
    address = forms.CharField(
        label=_("详细地址（选填）"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("详细地址最多200个字")},
    )
    description = forms.CharField(
        label=_("发生了什么"),
        min_length=rules.DESCRIPTION_MIN_CHARS,
        max_length=rules.DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("请写一写发生了什么"),
            "min_length": _("请把情况写得具体一些（至少%(limit_value)d个字）"),
            "max_length": _("情况说明最多%(limit_value)d个字"),
        },
    )
    people_count = forms.IntegerField(
        label=_("涉及多少人（包括您自己）"),
        min_value=1,
        max_value=100000,
        initial=1,
        error_messages={
            "required": _("请填写涉及多少人"),
            "invalid": _("涉及人数请填数字"),
            "min_value": _("涉及人数至少为1"),
            "max_value": _("涉及人数请填实际人数"),
        },
    )
    anonymous = forms.BooleanField(label=_("匿名反映（不留姓名和电话）"), required=False)
    name = forms.CharField(
        label=_("您的姓名"),
        max_length=50,
        required=False,
        error_messages={"max_length": _("姓名最多50个字")},
    )
    phone = forms.CharField(
        label=_("联系电话（选填）"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": _("请填写正确的手机号或固定电话")},
    )
    # Hidden from people (and from screen readers); a script fills in every field it sees.
    homepage = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in active_categories()}
        groups: dict[str, list[tuple[int, str]]] = {}
        for category in self.categories.values():
            assert category.parent is not None
            groups.setdefault(category.parent.name, []).append((category.pk, category.name))
        self.fields["category"].choices = [("", _("请选择")), *groups.items()]  # type: ignore[attr-defined]
        township_field = self.fields["township"]
        township_field.queryset = townships()  # type: ignore[attr-defined]
        chosen = self._chosen_township()
        self.fields["village"].queryset = villages_of(chosen)  # type: ignore[attr-defined]
        if not self.is_bound and "ticket" not in self.initial:
            self.initial["ticket"] = services.new_ticket()

    def _chosen_township(self) -> Region | None:
        raw = self.data.get("township") if self.is_bound else None
        if not raw or not str(raw).isdigit():
            return None
        return Region.objects.filter(pk=int(raw), level=Level.TOWNSHIP).first()

    def clean_ticket(self) -> services.Ticket:
        ticket = services.read_ticket(self.cleaned_data["ticket"])
        if ticket is None:
            raise forms.ValidationError(_("表单已失效，请刷新页面后重新填写"))
        return ticket

    def clean_category(self) -> Category:
        category = self.categories.get(self.cleaned_data["category"])
        if category is None:
            raise forms.ValidationError(_("问题类别不可用，请重新选择"))
        return category

    def clean_homepage(self) -> str:
        if self.cleaned_data["homepage"]:
            raise forms.ValidationError(_("提交未通过检查，请刷新页面后重新填写"))
        return ""

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        phone = rules.normalize_phone(raw)
        if phone is None:
            raise forms.ValidationError(_("请填写正确的手机号或固定电话"))
        return phone

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("anonymous"):
            # Anonymous means nothing kept: whatever was typed in the boxes is dropped.
            data["name"] = ""
            data["phone"] = ""
            self.errors.pop("phone", None)
            self.errors.pop("name", None)
        elif not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("请填写您的姓名，或勾选“匿名反映”"))
        return data

    def submission(self) -> services.Submission:
        data = self.cleaned_data
        region = data.get("village") or data["township"]
        return services.Submission(
            ticket=data["ticket"],
            category=data["category"],
            region=region,
            description=data["description"].strip(),
            people_count=data["people_count"],
            address=data["address"].strip(),
            name=data["name"].strip(),
            phone=data["phone"],
        )


class RateForm(forms.Form):
    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果满意吗"),
        choices=Case.Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意")},
    )
    note = forms.CharField(
        label=_("说说您的想法（不满意时必填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("最多1000个字")},
    )
    phone_tail = forms.CharField(
        label=_("反映问题时所留电话的后四位"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, needs_phone_tail: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_phone_tail = needs_phone_tail

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        unsatisfied = data.get("satisfaction") == Case.Satisfaction.UNSATISFIED
        if unsatisfied and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“不满意”时，请写明不满意的原因"))
        tail = (data.get("phone_tail") or "").strip()
        if self.needs_phone_tail and not (len(tail) == 4 and tail.isdigit()):
            self.add_error("phone_tail", _("请填写电话号码的后四位数字"))
        return data
