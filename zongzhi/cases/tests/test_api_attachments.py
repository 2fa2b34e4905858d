"""POST /api/cases/{code}/attachments and GET …/attachments/{id}: the pages' service and
checks, the API's error shape."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from zongzhi.accounts.models import User
from zongzhi.accounts.rules import Role
from zongzhi.cases import services
from zongzhi.cases.models import Attachment, Case
from zongzhi.cases.rules import Status
from zongzhi.cases.tests.api_client import KeyClient, assert_error
from zongzhi.cases.tests.factories import case_in, new_case, photo
from zongzhi.conftest import Cast


def upload(user: User, case: Case, *files: Any, note: str = "") -> Any:
    key = KeyClient(user)
    return key.client.post(
        f"/api/cases/{case.code}/attachments",
        {"attachments": list(files), "note": note},
        headers=key._headers(None),
    )


def test_a_handler_uploads_a_photo_and_reads_it_back(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    handler = cast.by_role[Role.UNIT_HANDLER]
    response = upload(handler, case, photo("site.jpg"), note="现场照片")
    assert response.status_code == 201, response.content.decode()
    [made] = response.json()
    assert made["name"] == "site.jpg" and made["content_type"] == "image/jpeg"
    got = KeyClient(handler).get(made["url"])
    assert got.status_code == 200
    assert got["Content-Type"] == "image/jpeg"
    assert b"".join(got.streaming_content).startswith(b"\xff\xd8\xff")
    detail = KeyClient(handler).get(f"/api/cases/{case.code}").json()
    assert [a["id"] for a in detail["attachments"]] == [made["id"]]


def test_an_upload_outside_scope_is_not_found_and_writes_nothing(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    assert_error(upload(cast.outsider, case, photo()), 404, "not_found")
    assert Attachment.objects.count() == 0


def test_a_leader_who_only_watches_the_case_may_not_upload(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    assert_error(upload(cast.by_role[Role.LEADER], case, photo()), 403, "forbidden")
    assert Attachment.objects.count() == 0


def test_a_client_system_neither_uploads_to_nor_reads_the_files_of_its_own_case(
    cast: Cast,
) -> None:
    hotline = cast.by_role[Role.CLIENT_SYSTEM]
    case = services.case_register(by=hotline, new=new_case(region=cast.places.g1))
    [attachment] = services.case_attach(
        by=cast.by_role[Role.INTAKE_OFFICER], case=case, uploads=[photo()]
    )
    assert_error(upload(hotline, case, photo()), 404, "not_found")
    url = f"/api/cases/{case.code}/attachments/{attachment.pk}"
    assert_error(KeyClient(hotline).get(url), 404, "not_found")
    assert_error(KeyClient(cast.outsider).get(url), 404, "not_found")
    assert KeyClient(cast.by_role[Role.INTAKE_OFFICER]).get(url).status_code == 200


def test_an_upload_to_a_closed_case_is_refused(cast: Cast) -> None:
    case = case_in(cast, Status.CLOSED)
    assert_error(upload(cast.by_role[Role.UNIT_HANDLER], case, photo()), 409, "refused")


def test_a_file_whose_bytes_are_not_what_its_name_says_is_refused_naming_the_field(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>1</script></html>")
    body = assert_error(
        upload(cast.by_role[Role.UNIT_HANDLER], case, photo(), fake), 400, "invalid", "attachments"
    )
    assert "photo.jpg" in body["message"]
    assert Attachment.objects.count() == 0  # the good photo sent with it is not kept either
