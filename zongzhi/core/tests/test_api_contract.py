"""The served OpenAPI document is a contract: schemathesis generates requests for every
operation from the document itself and checks that none gets a server error and every
response (errors included) matches the schema the document declares for its status.

The document is loaded in-process (api.get_openapi_schema(): the same document
/api/openapi.json serves, which is behind the login) and the requests go to the WSGI
application with the Bearer key of a county-wide user, against a small county with a
case, a hazard and a screening report in it. Hypothesis runs derandomized with a few
examples per operation, so the test is repeatable and fast.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from zongzhi.accounts.models import RoleAssignment
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import issue_token
from zongzhi.api import api
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.factories import case_in
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards.tests.factories import registered as hazard
from zongzhi.screening.tests.factories import campaign, report_of

# Per operation and strategy, from the Hypothesis profile (conftest): 8 and 4 under "ci".
EXAMPLES = settings.default.max_examples * 4 // 5
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 2)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Django's test client keeps the test's transaction open across requests by not
    closing connections when a request starts; so must a WSGI call from the test."""
    request_started.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)


@dataclass
class County:
    key: str
    case: str
    hazard: str
    report: int
    region: str
    grid: str
    unit: int


@pytest.fixture
def county(cast: Cast) -> County:
    place = cast.places.county
    user = make_user("county_all", Role.INTAKE_OFFICER, region=place)
    for role in (Role.LEADER, Role.CARE_SUPERVISOR):
        RoleAssignment.objects.create(user=user, role=role, region=place)
    case = case_in(cast, Status.IN_PROGRESS)
    report = report_of(campaign(cast.places.t1), cast.places.g1)
    return County(
        key=issue_token(by=SYSTEM, user=user, name="契约测试")[1],
        case=case.code,
        hazard=hazard(cast).code,
        report=report.pk,
        region=place.code,
        grid=cast.places.g1.code,
        unit=cast.units.t1_station.pk,
    )


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = WSGIHandler()
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(strategy: Any, examples: int, headers: dict[str, str]) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


# The fuzzing sends hundreds of writes a minute with one key: unlimited here, or most of
# them would meet the write limit (429, documented; core/tests/test_rate_limits.py).
@override_settings(ZONGZHI_API_WRITES_PER_MINUTE=0)
def test_every_operation_keeps_its_contract(county: County, in_test_transaction: None) -> None:
    headers = {"Authorization": f"Bearer {county.key}"}
    operations = _operations()
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"
        strategies = [
            (operation.as_strategy(), EXAMPLES),
            (operation.as_strategy(GenerationMode.NEGATIVE), NEGATIVE_EXAMPLES),
        ]
        params = {p.name for p in operation.path_parameters}
        if params:
            # Again with the path naming a record that exists, so the operation goes deep.
            real = {
                "code": county.hazard if "/hazards/" in operation.path else county.case,
                "report_id": county.report,
            }
            fixed = {k: v for k, v in real.items() if k in params}
            strategies.append((operation.as_strategy(path_parameters=fixed), EXAMPLES))
        for strategy, examples in strategies:
            try:
                _fuzz(strategy, examples, headers)
            except Exception as error:  # collect all, so one run names every broken operation
                failures.append(f"{name}: {error}")
    assert not failures, "\n\n".join(failures)


def test_valid_requests_answer_as_the_document_says(
    county: County, in_test_transaction: None
) -> None:
    """Generated data seldom names a real category and place; these do, so the success
    responses (201, the retry's 200) are checked against the document too."""
    headers = {"Authorization": f"Bearer {county.key}"}
    ops = {f"{o.method.upper()} {o.path}": o for o in _operations()}
    new_case = {
        "category": "LLJF01",
        "title": "契约测试",
        "description": "契约测试的事项",
        "region": county.grid,
        "channel": "phone",
        "parties": [{"name": "王芳"}],
        "idempotency_key": "contract-1",
    }
    new_hazard = {
        "title": "契约测试",
        "description": "契约测试的隐患",
        "category": "LZJF01",
        "region": county.grid,
        "level": "low",
        "responsible_unit": county.unit,
        "guardian_name": "李明",
    }
    calls: list[tuple[str, dict[str, Any], int]] = [
        ("POST /api/cases/", {"body": new_case}, 201),
        ("POST /api/cases/", {"body": new_case}, 200),
        ("GET /api/cases/{code}", {"path_parameters": {"code": county.case}}, 200),
        (
            "POST /api/cases/{code}/progress",
            {"path_parameters": {"code": county.case}, "body": {"note": "进展"}},
            403,
        ),
        ("POST /api/hazards/", {"body": new_hazard}, 201),
        ("GET /api/hazards/{code}", {"path_parameters": {"code": county.hazard}}, 200),
        (
            "POST /api/screening/reports/{report_id}/file",
            {"path_parameters": {"report_id": county.report}, "body": {"zero": True}},
            200,
        ),
        (
            "GET /api/screening/reports/{report_id}",
            {"path_parameters": {"report_id": county.report}},
            200,
        ),
        ("GET /api/analytics/figures", {"query": {"region": county.region}}, 200),
        ("GET /api/analytics/breakdown", {"query": {"region": county.region, "by": "month"}}, 200),
        ("GET /api/reference/regions", {"query": {"parent": county.region}}, 200),
    ]
    for name, parts, status in calls:
        if "body" in parts:
            parts = {**parts, "media_type": "application/json"}
        case = ops[name].Case(**parts)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code == status, (name, response.text)
