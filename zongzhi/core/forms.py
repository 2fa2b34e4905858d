"""What every app's forms share."""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils import formats
from django.utils.translation import gettext


def again_under_new_key[F: forms.Form](make: Callable[[QueryDict], F], request: HttpRequest) -> F:
    """The form's idempotency key already registered a different request (the back button,
    an edit, the form sent again; the service raised KeyReused): the form as sent, under a
    new key, saying so. Sent once more it registers a second record, which is then what the
    person means. `make` builds the form from data."""
    data = request.POST.copy()
    data["idempotency_key"] = uuid.uuid4().hex
    form = make(data)
    form.is_valid()
    form.add_error(
        None,
        gettext(
            "这张表单刚才已登记过一次，本次提交的内容与之不同，未作处理。"
            "如确需另行登记，请核对后再次提交。"
        ),
    )
    return form


def add_service_errors(form: Any, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message at its field when the
    form has that field, at the top of the form otherwise."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# How much may be typed into a text box: a note, and a long record (a description, a
# mediation record, a finding). The limit is the box's `maxlength`, so typing stops there,
# its counter shows it before anything is sent (cases/_field.html, core/forms.js), and the
# form checks it again when sent.
NOTE_MAX = 2000
LONG_TEXT_MAX = 5000


def text_field(
    label: Any,
    *,
    required: bool = False,
    rows: int = 2,
    max_length: int = NOTE_MAX,
    **kwargs: Any,
) -> forms.CharField:
    """A text box (Textarea) with its limit, shown with a counter wherever the field is
    drawn by cases/_field.html."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


ISO_DATE = "%Y-%m-%d"


class IsoDateField(forms.DateField):
    """A date picked in the browser's own calendar. `<input type="date">` shows the date
    in the browser's language but always sends, and must be given, ISO `YYYY-MM-DD`;
    Django's widget otherwise writes the active language's format (`2026/12/08` in
    Chinese), which the browser drops, so the field came up blank. ISO is accepted
    whatever the language; the language's own formats after it, for typed input."""

    widget = forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.input_formats = [ISO_DATE, *formats.get_format("DATE_INPUT_FORMATS")]

    def to_python(self, value: Any) -> Any:
        # The language's formats are read when the form is cleaned, not when it is built.
        self.input_formats = [ISO_DATE, *formats.get_format("DATE_INPUT_FORMATS")]
        return super().to_python(value)

    def bounded(self, *, earliest: date | None = None, latest: date | None = None) -> None:
        """Tell the browser's calendar the range, so a date outside it is not offered;
        the service still checks it."""
        if earliest is not None:
            self.widget.attrs["min"] = earliest.isoformat()
        if latest is not None:
            self.widget.attrs["max"] = latest.isoformat()
