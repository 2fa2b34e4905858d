"""The same request sent again with a new idempotency key — the browser's back button and
the form resubmitted — is recognised at every door and answered with the first case."""

from typing import Any

import pytest
from django.test import Client

from zongzhi.accounts.actors import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Case, CaseEvent
from zongzhi.cases.tests.factories import category
from zongzhi.cases.tests.test_views import intake_post
from zongzhi.conftest import Cast
from zongzhi.portal.tests.conftest import form_data, submit

pytestmark = pytest.mark.django_db


def test_the_counter_form_resubmitted_with_a_new_key_shows_the_case_already_registered(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.post("/cases/new/", intake_post(cast, idempotency_key="page-load-1"))
    again = client.post("/cases/new/", intake_post(cast, idempotency_key="page-load-2"))
    case = Case.objects.get()
    assert again.status_code == 302
    assert again["Location"] == f"/cases/{case.code}/"
    page = client.get(again["Location"]).content.decode()
    assert f"该诉求刚刚已登记：查询码 {case.code}" in page


def test_the_same_words_retyped_with_other_spacing_are_the_same_request(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.post("/cases/new/", intake_post(cast, idempotency_key="k1"))
    client.post(
        "/cases/new/",
        intake_post(cast, idempotency_key="k2", description=" 雨季排水冲到 邻居院内。\n"),
    )
    assert Case.objects.count() == 1


def test_different_content_at_the_counter_still_registers(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.post("/cases/new/", intake_post(cast, idempotency_key="k1"))
    client.post(
        "/cases/new/", intake_post(cast, idempotency_key="k2", description="另一件事：噪音扰民。")
    )
    assert Case.objects.count() == 2


def test_the_counter_recognises_a_request_the_hotline_sent_moments_ago(cast: Cast) -> None:
    new = services.NewCase(
        channel=Case.Channel.HOTLINE,
        category=category(),
        title="邻里排水纠纷",
        description="雨季排水冲到邻居院内。",
        region=cast.places.g1,
        parties=[services.NewParty(role="applicant", name="王五", phone="139 0000 0000")],
    )
    first = services.case_register_idempotent(by=SYSTEM, new=new, idempotency_key="api:x:1")
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    again = client.post("/cases/new/", intake_post(cast))
    assert again["Location"] == f"/cases/{first.record.code}/"
    assert Case.objects.count() == 1


def test_with_no_window_the_same_request_registers_again(cast: Cast, settings: Any) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.post("/cases/new/", intake_post(cast, idempotency_key="k1"))
    settings.ZONGZHI_DUPLICATE_MINUTES = 0
    client.post("/cases/new/", intake_post(cast, idempotency_key="k2"))
    assert Case.objects.count() == 2


def test_the_timeline_keeps_a_digest_and_never_the_phone(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    client.post("/cases/new/", intake_post(cast))
    data = CaseEvent.objects.get().data
    assert len(data["fingerprint"]) == 64
    assert "13900000000" not in str(data)


def test_the_portal_form_resubmitted_with_a_new_ticket_shows_the_first_confirmation(
    cast: Cast,
) -> None:
    resident = Client()
    first = submit(resident, form_data(cast))
    again = submit(resident, form_data(cast))  # a fresh ticket: the page was loaded again
    case = Case.objects.get()
    assert first.status_code == again.status_code == 302
    page = resident.get(again["Location"]).content.decode()
    assert case.code in page
    assert "该诉求刚刚已登记" in page


def test_an_anonymous_request_resubmitted_from_the_same_network_is_recognised(
    cast: Cast,
) -> None:
    resident = Client()
    submit(resident, form_data(cast, anonymous="on"), ip="10.0.0.5")
    submit(resident, form_data(cast, anonymous="on"), ip="10.0.0.5")
    assert Case.objects.count() == 1
    # The same words from another network, with no phone, are somebody else's.
    submit(Client(), form_data(cast, anonymous="on"), ip="10.7.0.5")
    assert Case.objects.count() == 2


def test_different_content_at_the_portal_still_registers(cast: Cast) -> None:
    resident = Client()
    submit(resident, form_data(cast))
    submit(resident, form_data(cast, description="村口路灯坏了两个月，晚上出行很不方便。"))
    assert Case.objects.count() == 2


def test_a_duplicate_counts_nothing_against_the_portal_limits(cast: Cast) -> None:
    from zongzhi.portal.models import Throttle

    resident = Client()
    submit(resident, form_data(cast))
    hits = {(t.scope, t.digest): len(t.hits) for t in Throttle.objects.all()}
    submit(resident, form_data(cast))
    assert {(t.scope, t.digest): len(t.hits) for t in Throttle.objects.all()} == hits
