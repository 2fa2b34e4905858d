"""Helpers for the tests of the read paths (API, export, pages): more files, clients, and
reading an exported workbook."""

from io import BytesIO
from typing import Any

from django.test import Client
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from zongzhi.care import rules
from zongzhi.care.models import CareFile
from zongzhi.care.tests.conftest import CHILD_ID, CareCast, open_file
from zongzhi.ledgers import layout

# Another adult, living in V2 (township T2).
V2_ID = rules.with_check_digit("53042419750302201")


def child_file(care: CareCast, **overrides: Any) -> CareFile:
    """A left-behind child in V1, led by the V1 care worker."""
    values: dict[str, Any] = {
        "programme": rules.LEFT_BEHIND_CHILDREN.code,
        "person_name": "王小明",
        "identity_number": CHILD_ID,
        "level": "medium",
        "level_reasons": ["out_of_school"],
        "guardian_name": "王奶奶",
        "guardian_relation": "祖母",
    }
    values.update(overrides)
    return open_file(care.worker, care.cast.places.v1, lead=care.worker, **values)


def v2_file(care: CareCast, **overrides: Any) -> CareFile:
    """An adult in V2, led by the V2 care worker."""
    values: dict[str, Any] = {"person_name": "赵大海", "identity_number": V2_ID}
    values.update(overrides)
    return open_file(care.worker2, care.cast.places.v2, lead=care.worker2, **values)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet_of(content: bytes) -> Worksheet:
    ws = load_workbook(BytesIO(content)).active
    assert ws is not None
    return ws


def data_rows(ws: Worksheet) -> list[list[Any]]:
    return [
        [c.value for c in row]
        for row in ws.iter_rows(min_row=layout.FIRST_DATA_ROW, max_row=ws.max_row)
        if any(c.value is not None for c in row)
    ]


def all_cell_text(ws: Worksheet) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
