"""`manage.py reset_two_factor USERNAME`: remove a person's authenticator and recovery
codes, for an administrator who lost both and so cannot reach the admin pages to have
another administrator reset them. At the next sign-in they enrol again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zongzhi.accounts import twofactor
from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM


class Command(BaseCommand):
    help = "Remove a person's two-factor devices (authenticator and recovery codes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"没有用户名为 {options['username']} 的用户") from None
        removed = twofactor.reset(by=SYSTEM, user=user)
        self.stdout.write(
            f"已重置 {user.username} 的两步验证（删除 {removed} 条记录）；下次登录时重新启用。"
        )
