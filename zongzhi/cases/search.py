"""Finding a case by what a person at the counter types: its code with or without the
dash, a party's phone number however it is spaced, or words of its title, description,
address or parties' names. Pure rules, no ORM; `selectors.case_list` applies them.

Words are found in `Case.search_text`, one lower-cased line the services keep whenever
what it is made of changes (registration, a merge, a correction of the case or its
parties). On PostgreSQL a trigram index (`pg_trgm`, GIN) serves `LIKE '%…%'` on it; on
SQLite the same query reads the rows (the demo's scale). Codes and phone numbers are exact
lookups on plain btree indexes: the unique code, and `Party.phone_digits`.
"""

import re
from collections.abc import Iterable

# YYMMDD-XXXXXX: six digits of the registration date, six characters of core.services'
# CODE_ALPHABET (upper case, no 0/O/1/I).
CODE_RE = re.compile(r"^(\d{6})-?([0-9A-Z]{6})$")
# A phone number as typed: digits with spaces, dashes, dots or brackets between them.
PHONE_RE = re.compile(r"^\+?[\d\s\-().]+$")
# Shorter runs of digits are more likely part of a code, an amount or a house number.
PHONE_MIN_DIGITS = 7


def digits(phone: str) -> str:
    """The digits of a phone number, as stored in `Party.phone_digits`."""
    return re.sub(r"\D", "", phone)


def code_of(query: str) -> str | None:
    """The tracking code `query` names, if it is one: `261208wbz98z` → `261208-WBZ98Z`."""
    match = CODE_RE.match(re.sub(r"\s", "", query).upper())
    return f"{match[1]}-{match[2]}" if match else None


def phone_of(query: str) -> str | None:
    """The phone digits `query` names, if it looks like a phone number."""
    if not PHONE_RE.match(query):
        return None
    found = digits(query)
    return found if len(found) >= PHONE_MIN_DIGITS else None


def words_of(query: str) -> str:
    """The query as it is looked for in `search_text`: lower-cased, spaces collapsed."""
    return " ".join(query.lower().split())


def search_text(
    *, code: str, title: str, description: str, address: str, parties: Iterable[tuple[str, str]]
) -> str:
    """What a case is found by, as one lower-cased line: the code, title, description,
    address, and each party's name and phone digits."""
    parts = [code, title, description, address]
    for name, phone in parties:
        parts += [name, digits(phone)]
    return words_of(" ".join(p for p in parts if p))
