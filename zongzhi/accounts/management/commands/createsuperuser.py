"""Django's createsuperuser, with the password policy also without prompts: Django checks
AUTH_PASSWORD_VALIDATORS when it asks for the password, but takes
DJANGO_SUPERUSER_PASSWORD (--noinput) unchecked, and that is how deploy scripts make the
first administrator. (This app comes before django.contrib.auth in INSTALLED_APPS so that
this command is the one run.)"""

import os
from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from zongzhi.accounts.models import User


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password:
            username = options.get(User.USERNAME_FIELD) or os.environ.get(
                "DJANGO_SUPERUSER_USERNAME", ""
            )
            candidate = User(username=username, email=options.get("email") or "")
            try:
                validate_password(password, candidate)
            except ValidationError as e:
                raise CommandError("DJANGO_SUPERUSER_PASSWORD: " + " ".join(e.messages)) from e
        super().handle(*args, **options)
