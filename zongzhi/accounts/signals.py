"""Hook points for the audit log: sent by zongzhi.accounts.passwords and
zongzhi.accounts.twofactor after the change is written (inside its transaction, so a
receiver that writes an audit row commits or rolls back with it).

Every signal is sent with `by` (the actor who did it: the person, another person, or
SYSTEM for a management command), `user` (whose account changed) and `request` (None
outside a web request). Connect a receiver to record them, e.g. in an app's ready():

    two_factor_reset.connect(lambda sender, by, user, request, **kw: record(...))
"""

from django.dispatch import Signal

# The person changed their own password (the page 修改密码).
password_changed = Signal()
# Two-factor sign-in turned on: an authenticator confirmed with a code, recovery codes made.
two_factor_enrolled = Signal()
# The person turned it off themselves, after giving a current code.
two_factor_removed = Signal()
# An administrator (the admin's action) or an operator (manage.py reset_two_factor)
# removed another person's devices.
two_factor_reset = Signal()
# The person replaced their recovery codes, after giving a current code.
recovery_codes_regenerated = Signal()
