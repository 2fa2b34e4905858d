from django import forms
from django.utils.translation import gettext_lazy as _

from zongzhi.regions import geo


class LocateForm(forms.Form):
    lng = forms.FloatField(label=_("经度"), min_value=geo.LNG_RANGE[0], max_value=geo.LNG_RANGE[1])
    lat = forms.FloatField(label=_("纬度"), min_value=geo.LAT_RANGE[0], max_value=geo.LAT_RANGE[1])
