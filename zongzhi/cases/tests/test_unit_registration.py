"""A department registers what it finds as a case handed over (部门移交)."""

from zongzhi.accounts.rules import Role
from zongzhi.cases.models import Case
from zongzhi.cases.tests.test_views import intake_post
from zongzhi.conftest import Cast

SELECTED_TRANSFER = '<option value="transfer" selected>'


def test_a_unit_handlers_intake_form_starts_as_a_transfer_in_its_own_area(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    page = client.get("/cases/new/").content.decode()
    assert SELECTED_TRANSFER in page
    # The station registers in its township, not beyond it.
    assert cast.places.g1.name in page
    assert cast.places.g2.name not in page


def test_a_unit_handler_registers_a_transfer_through_the_form(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    response = client.post("/cases/new/", intake_post(cast, channel="transfer"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Case.Channel.TRANSFER
    assert case.registered_by == cast.by_role[Role.UNIT_HANDLER]
    outside = intake_post(cast, channel="transfer", region=str(cast.places.g2.pk))
    outside["idempotency_key"] = "form-key-2"
    response = client.post("/cases/new/", outside)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert response.context["form"].errors.keys() == {"region"}
    assert Case.objects.count() == 1


def test_the_centre_and_a_committee_mediator_are_not_offered_a_transfer_first(
    cast: Cast,
) -> None:
    for role in [Role.INTAKE_OFFICER, Role.MEDIATOR, Role.GRID_WORKER]:
        page = cast.client_for(cast.by_role[role]).get("/cases/new/").content.decode()
        assert SELECTED_TRANSFER not in page, role
