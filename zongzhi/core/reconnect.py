"""Keeping a background process alive across a database outage.

A PostgreSQL restart breaks every open connection: the next query raises OperationalError
or InterfaceError. A worker or scheduler that let it escape would exit and stay down, and
deadlines, notifications and figures would silently stop. Instead the loop closes the
connection, waits 1 s, 2 s, 4 s … up to 30 s between tries, logs each try once, and goes on
when the database answers again.
"""

import contextlib
import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connections

DATABASE_ERRORS = (OperationalError, InterfaceError)
FIRST_WAIT = 1.0
LONGEST_WAIT = 30.0


def close_connections() -> None:
    """Drop this thread's connections; a broken one may fail even to close."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            conn.close()


def database_answers() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS:
        close_connections()
        return False
    return True


def wait_for_database(*, log: logging.Logger, sleep: Callable[[float], None] | None = None) -> int:
    """Wait, doubling the wait up to LONGEST_WAIT, until the database answers; return how
    many tries it took."""
    close_connections()
    wait = FIRST_WAIT
    tries = 0
    started = time.monotonic()
    while True:
        tries += 1
        log.warning("database unavailable: try %d in %.0f s", tries, wait)
        (sleep or time.sleep)(wait)
        if database_answers():
            log.warning(
                "database answers again after %d tries (%.0f s)",
                tries,
                time.monotonic() - started,
            )
            return tries
        wait = min(wait * 2, LONGEST_WAIT)


def keep_running(
    step: Callable[[], bool],
    *,
    log: logging.Logger,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Call `step` until it returns False. A database error inside it does not end the
    process: the connection is closed, the database waited for, and `step` called again."""
    while True:
        try:
            if not step():
                return
        except DATABASE_ERRORS as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            log.warning("database error: %s", first_line)
            wait_for_database(log=log, sleep=sleep)
