"""The errors every register's write path shares."""


class Refused(Exception):
    """A step that may not be taken now (a case's or a hazard's status does not allow it,
    or its precondition does not hold). The message says why, in the user's words."""
