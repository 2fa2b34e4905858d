"""What every app's forms share."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats


def add_service_errors(form: Any, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message at its field when the
    form has that field, at the top of the form otherwise."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


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
