"""The ledger page's two forms: what to export, and the file to import."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.actors import Actor
from zongzhi.core.forms import IsoDateField
from zongzhi.ledgers.exports import MAX_DAYS, REGISTER_NAMES, ledger_regions, registers_for
from zongzhi.ledgers.reading import MAX_BYTES
from zongzhi.regions.models import Region


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        indent = "\u3000" * max(0, obj.level - Region.Level.COUNTY)
        return f"{indent}{obj.name}"


class ExportForm(forms.Form):
    register = forms.ChoiceField(label=_("台账"), widget=forms.RadioSelect)
    region = RegionField(label=_("范围"), queryset=Region.objects.none(), empty_label=None)
    start = IsoDateField(label=_("起始日期"))
    end = IsoDateField(label=_("截止日期"))

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("start", today.replace(day=1))
        initial.setdefault("end", today)
        super().__init__(*args, **kwargs)
        registers = registers_for(user)
        self.fields["register"].choices = [(r.value, REGISTER_NAMES[r]) for r in registers]  # type: ignore[attr-defined]
        if registers:
            self.fields["register"].initial = registers[0].value
        self.fields["region"].queryset = ledger_regions(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("截止日期不能早于起始日期"))
            elif end - start > timedelta(days=MAX_DAYS):
                self.add_error("end", _("一次最多导出三年"))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("填好的风险隐患台账（.xlsx）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件超过%(mb)sMB，请分批导入") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class CaseImportForm(ImportForm):
    file = forms.FileField(label=_("矛盾纠纷排查化解台账（.xlsx）"))
