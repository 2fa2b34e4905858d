"""A person changes their own password: checked against AUTH_PASSWORD_VALIDATORS by the
form, then the person's other sessions end (Django ends every session holding the old
password's hash) and this one is kept."""

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest

from zongzhi.accounts.models import User
from zongzhi.accounts.signals import password_changed


def change_password(request: HttpRequest, form: PasswordChangeForm) -> User:
    """Save a valid PasswordChangeForm for request.user; keep this session signed in."""
    if not form.is_valid():
        raise ValueError("change_password needs a valid form")
    with transaction.atomic():
        user: User = form.save()
        password_changed.send(User, by=user, user=user, request=request)
    # After the save: this session takes the new hash, every other one is signed out.
    update_session_auth_hash(request, user)
    return user
