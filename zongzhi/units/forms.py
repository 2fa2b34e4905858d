from django import forms
from django.utils.translation import gettext_lazy as _

from zongzhi.categories.models import Category


class CompetenceForm(forms.Form):
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("主管事项分类"),
        queryset=Category.objects.filter(parent__isnull=False, is_active=True).select_related(
            "parent"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
