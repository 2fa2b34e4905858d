"""Forms for the case pages: the intake form and one small form per step."""

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zongzhi.cases import files
from zongzhi.cases.models import Case, ClockPause, Party, SupervisionOrder
from zongzhi.categories.models import Category
from zongzhi.core.forms import LONG_TEXT_MAX, NOTE_MAX, IsoDateField
from zongzhi.core.widgets import QuickSelect
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

# How much may be typed: a case's description as the API takes it; a step's note and the
# long records of a mediation or a closing are core.forms' NOTE_MAX and LONG_TEXT_MAX.
DESCRIPTION_MAX = 5000


class GroupedCategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent else obj.name


def leaf_categories() -> Any:
    """The second-level categories a case is filed under, in the order forms list them."""
    return (
        Category.objects.filter(parent__isnull=False, is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "sort_order", "code")
    )


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        indent = "\u3000" * max(0, obj.level - Region.Level.TOWNSHIP)
        return f"{indent}{obj.name}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern). The phone's picker offers
    the camera and the kinds taken; a file over the limit is named before it is sent
    (core/static/core/forms.js): the server checks both again, by the bytes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/*,application/pdf,.pdf,.docx,.xlsx,.txt,audio/*",
                    "data-max-bytes": files.MAX_BYTES,
                    "data-too-big": _("超过20MB，请压缩或分开上传"),
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


# Every door a person registers through; 历史导入 is the ledger import's alone.
INTAKE_CHANNELS = [(v, label) for v, label in Case.Channel.choices if v != Case.Channel.LEDGER]


class IntakeForm(forms.Form):
    """登记. Fast at a counter and on a phone: the common fields first, the rest below."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    channel = forms.ChoiceField(label=_("来源渠道"), choices=INTAKE_CHANNELS)
    category = GroupedCategoryField(label=_("事项分类"), queryset=leaf_categories())
    title = forms.CharField(label=_("事项标题"), max_length=100)
    description = forms.CharField(
        label=_("事项描述"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    region = RegionField(label=_("发生地"), queryset=Region.objects.none())
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    lng = forms.FloatField(label=_("经度"), required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(label=_("纬度"), required=False, widget=forms.HiddenInput)
    applicant_name = forms.CharField(label=_("申请人/反映人姓名"), max_length=100)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    respondent_name = forms.CharField(label=_("被申请人姓名/名称"), max_length=100, required=False)
    respondent_phone = forms.CharField(label=_("被申请人电话"), max_length=30, required=False)
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1, initial=1)
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=Case.Risk.choices, initial="low")
    risk_reasons = forms.CharField(
        label=_("风险原因"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    threat_of_violence = forms.BooleanField(label=_("有暴力倾向"), required=False)
    threat_of_self_harm = forms.BooleanField(label=_("有自伤自杀倾向"), required=False)
    petition_stage = forms.ChoiceField(
        label=_("信访环节"), choices=Case.PetitionStage.choices, required=False
    )
    review_of_code = forms.CharField(
        label=_("原事项查询码（复查、复核时填写）"), max_length=20, required=False
    )
    attachments = MultipleFileField(
        label=_("附件（照片、PDF、Word、Excel、录音）"),
        required=False,
        help_text=_("每个文件不超过20MB，一次最多10个；按文件内容识别类型"),
    )

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def parties(self) -> list[Any]:
        from zongzhi.cases.services import NewParty

        data = self.cleaned_data
        parties = [
            NewParty(
                role=Party.Role.APPLICANT,
                name=data["applicant_name"],
                phone=data["applicant_phone"],
            )
        ]
        if data.get("respondent_name"):
            parties.append(
                NewParty(
                    role=Party.Role.RESPONDENT,
                    name=data["respondent_name"],
                    phone=data.get("respondent_phone", ""),
                )
            )
        return parties


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


def _note(
    label: Any, *, required: bool = False, rows: int = 2, max_length: int = NOTE_MAX
) -> forms.CharField:
    # The limit is the `maxlength` of the text box, and its counter shows it (_field.html).
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class NoteForm(forms.Form):
    note = _note(_("说明"))


class RequiredNoteForm(forms.Form):
    note = _note(_("说明"), required=True)


class ReasonForm(forms.Form):
    reason = _note(_("理由"), required=True)


class RejectForm(forms.Form):
    reason = _note(_("不予受理的理由"), required=True)
    notice = forms.CharField(
        label=_("告知方式"), max_length=100, initial=_("当面告知并出具不予受理告知书")
    )


class DispatchForm(forms.Form):
    lead_unit = UnitChoiceField(label=_("主办单位"), queryset=Unit.objects.none())
    co_units = UnitsChoiceField(
        label=_("协办单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _note(_("派单说明"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    lead_unit = UnitChoiceField(label=_("改派给"), queryset=Unit.objects.none())
    note = _note(_("转办说明"), required=True)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]


class WhistleForm(forms.Form):
    units = UnitsChoiceField(
        label=_("召集的县级部门"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = _note(_("吹哨事由"), required=True)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = _note(_("意见"), required=True)


class SuperviseForm(forms.Form):
    text = _note(_("督办要求"), required=True)
    answer_days = forms.IntegerField(
        label=_("反馈时限（工作日）"), min_value=1, max_value=30, initial=3
    )


class AnswerSupervisionForm(forms.Form):
    order = forms.ModelChoiceField(label=_("督办"), queryset=SupervisionOrder.objects.none())
    answer = _note(_("反馈"), required=True)

    def __init__(self, *args: Any, orders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders  # type: ignore[attr-defined]


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=90)
    reason = _note(_("延期理由"), required=True)


class GrantExtensionForm(forms.Form):
    note = _note(_("审批意见"))
    applicant_told_by = forms.CharField(
        label=_("告知信访人方式（信访事项必填）"), max_length=100, required=False
    )


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("中止事由"), choices=ClockPause.Reason.choices)
    until = IsoDateField(label=_("预计恢复日期"))
    note = _note(_("说明"))


class SessionForm(forms.Form):
    held_on = IsoDateField(label=_("调解日期"), initial=timezone.localdate)
    place = forms.CharField(label=_("调解地点"), max_length=200)
    mediators = forms.CharField(label=_("人民调解员"), max_length=200)
    parties_present = forms.CharField(label=_("到场当事人"), max_length=300)
    record = _note(_("调解记录"), required=True, rows=4, max_length=LONG_TEXT_MAX)


class AgreementForm(forms.Form):
    facts = _note(
        _("纠纷主要事实、争议事项及各方责任"), required=True, rows=4, max_length=LONG_TEXT_MAX
    )
    terms = _note(_("协议内容"), required=True, rows=4, max_length=LONG_TEXT_MAX)
    performance = _note(_("履行方式、期限"), required=True)
    mediators = forms.CharField(label=_("人民调解员"), max_length=200)
    made_on = IsoDateField(label=_("签订日期"), initial=timezone.localdate)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办结结果"), choices=Case.Outcome.choices)
    note = _note(_("办结情况"), required=True, rows=3, max_length=LONG_TEXT_MAX)
    reply = _note(_("答复群众（群众凭查询码可见）"), rows=3)


class VisitForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Case.Satisfaction.choices, widget=forms.RadioSelect
    )
    note = _note(_("回访情况（不满意时必填）"))


class CaseCodeForm(forms.Form):
    code = forms.CharField(label=_("事项查询码"), max_length=20)
    note = _note(_("说明"))


class CaseSearchForm(forms.Form):
    """The work list's search box and filters, sent by GET so a search is a link. A value
    that does not parse is shown as an error and left out; the rest still filter."""

    SORTS = [
        ("", _("期限最近在前")),
        ("-due", _("期限最远在前")),
        ("-registered", _("最新登记在前")),
        ("registered", _("最早登记在前")),
        ("-updated", _("最近更新在前")),
        ("updated", _("最久未更新在前")),
    ]

    q = forms.CharField(label=_("查找"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False, widget=QuickSelect)
    overdue = forms.BooleanField(label=_("只看超期"), required=False)
    unit = forms.TypedChoiceField(
        label=_("主办单位"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    category = forms.ChoiceField(label=_("事项分类"), required=False, widget=QuickSelect)
    channel = forms.ChoiceField(
        label=_("来源渠道"),
        required=False,
        choices=[("", _("全部渠道")), *Case.Channel.choices],
        widget=QuickSelect,
    )
    risk = forms.ChoiceField(
        label=_("风险等级"),
        required=False,
        choices=[("", _("全部等级")), *Case.Risk.choices],
        widget=QuickSelect,
    )
    registered_from = IsoDateField(label=_("登记日期起"), required=False)
    registered_to = IsoDateField(label=_("登记日期止"), required=False)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORTS, widget=QuickSelect)
    suspected_duplicate = forms.BooleanField(label=_("只看疑似重复"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        units: list[tuple[int, str]],
        categories: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        status: Any = self.fields["status"]
        status.choices = [("", _("全部状态")), *Case.Status.choices]
        unit: Any = self.fields["unit"]
        unit.choices = [("", _("全部主办单位")), *units]
        category: Any = self.fields["category"]
        category.choices = [("", _("全部分类")), *categories]
        # Nothing is registered after today.
        for name in ("registered_from", "registered_to"):
            field: Any = self.fields[name]
            field.bounded(latest=timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and end < start:
            self.add_error("registered_to", _("登记日期止不能早于登记日期起"))
        return data

    def value(self, name: str) -> Any:
        """The field's parsed value, or its empty value when it did not parse."""
        if name in self.errors:
            return None
        return self.cleaned_data.get(name)

    MORE = (
        "unit",
        "category",
        "channel",
        "risk",
        "registered_from",
        "registered_to",
        "suspected_duplicate",
        "sort",
    )

    @property
    def more_fields(self) -> list[forms.BoundField]:
        """The filters folded under 更多筛选 (on a phone the search box comes first)."""
        return [self[name] for name in self.MORE]

    @property
    def more(self) -> bool:
        """Whether one of those is set, so the page shows them open."""
        return any(self.data.get(name) for name in self.MORE)


class AttachForm(forms.Form):
    """补充附件."""

    attachments = MultipleFileField(
        label=_("文件（照片、PDF、Word、Excel、文本、录音）"),
        help_text=_("每个文件不超过20MB，一次最多10个；按文件内容识别类型"),
    )
    note = _note(_("说明（这些文件是什么）"), max_length=500)
