"""The case page's forms for 更正 and the parties (当事人). Which fields a person may
correct is the rules' (`rules.correctable_by`); the form shows only those."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zongzhi.cases.forms import (
    DESCRIPTION_MAX,
    GroupedCategoryField,
    RegionField,
    leaf_categories,
)
from zongzhi.cases.models import Case, Party
from zongzhi.core.forms import text_field
from zongzhi.regions.models import Region


class CorrectionForm(forms.Form):
    category = GroupedCategoryField(label=_("事项分类"), queryset=leaf_categories())
    title = forms.CharField(label=_("事项标题"), max_length=100)
    description = text_field(_("事项描述"), required=True, rows=4, max_length=DESCRIPTION_MAX)
    region = RegionField(label=_("发生地"), queryset=Region.objects.none())
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=Case.Risk.choices)
    risk_reasons = text_field(_("风险原因"))
    note = text_field(_("更正说明"))

    def __init__(self, data: Any, *, case: Case, fields: frozenset[str]) -> None:
        initial = {f: getattr(case, f) for f in fields}
        super().__init__(data, initial=initial)
        for name in list(self.fields):
            if name != "note" and name not in fields:
                del self.fields[name]
        if "region" in self.fields:
            self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
                prefix__startswith=case.centre_prefix,
                level__gte=Region.Level.COUNTY,
                level__lte=Region.Level.GRID,
            ).order_by("code")

    def changes(self) -> dict[str, Any]:
        return {f: v for f, v in self.cleaned_data.items() if f != "note"}


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("身份"), choices=Party.Role.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=Party.Kind.choices, initial="person")
    name = forms.CharField(label=_("姓名/名称"), max_length=100)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    identity_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class EditPartyForm(PartyForm):
    party = forms.ModelChoiceField(queryset=Party.objects.none(), widget=forms.HiddenInput)

    def __init__(self, data: Any, *, case: Case, party: Party | None = None) -> None:
        initial: dict[str, Any] = {}
        if party is not None:
            initial = {f: getattr(party, f) for f in ("role", "kind", "name", "phone", "address")}
            initial["party"] = party.pk
        # One edit form per party on the page: ids of their own.
        auto_id = f"id_edit_party_{party.pk}_%s" if party is not None else "id_%s"
        super().__init__(data, initial=initial, auto_id=auto_id)
        self.fields["party"].queryset = Party.objects.filter(case=case)  # type: ignore[attr-defined]
        number = self.fields["identity_number"]
        if party is not None and party.identity_masked:
            number.help_text = _("已登记 %(masked)s；留空则不变") % {
                "masked": party.identity_masked
            }


class RemovePartyForm(forms.Form):
    party = forms.ModelChoiceField(queryset=Party.objects.none(), widget=forms.HiddenInput)
    note = text_field(_("删除理由"))

    def __init__(self, data: Any, *, case: Case, party: Party | None = None) -> None:
        super().__init__(
            data,
            initial={"party": party.pk} if party is not None else {},
            auto_id=f"id_remove_party_{party.pk}_%s" if party is not None else "id_%s",
        )
        self.fields["party"].queryset = Party.objects.filter(case=case)  # type: ignore[attr-defined]
