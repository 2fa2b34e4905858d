"""The errors every register's write path shares."""


class Refused(Exception):
    """A step that may not be taken now (a case's or a hazard's status does not allow it,
    or its precondition does not hold). The message says why, in the user's words."""


class KeyReused(Exception):
    """An idempotency key sent again with a different request: the first record is not
    the answer to this one, and a second must not be made under the same key. `key` is
    the key as the caller sent it."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class RateLimited(Exception):
    """Too many writes in the present window; `retry_after` seconds until the next one."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
