"""附件: files added to a case at any step, checked by their bytes, read only in scope."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zongzhi.accounts.rules import Role
from zongzhi.cases import files, services
from zongzhi.cases.models import Attachment, Case, CaseEvent
from zongzhi.cases.rules import Status, Step
from zongzhi.cases.tests.factories import case_in, photo, photo_bytes
from zongzhi.cases.tests.test_views import intake_post
from zongzhi.conftest import Cast
from zongzhi.core.errors import Refused

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def attached(cast: Cast, status: Status = Status.IN_PROGRESS) -> tuple[Case, Attachment]:
    case = case_in(cast, status)
    [attachment] = services.case_attach(
        by=cast.by_role[Role.UNIT_HANDLER], case=case, uploads=[photo()], note="现场照片"
    )
    return case, attachment


def file_url(case: Case, attachment: Attachment, tail: str = "") -> str:
    return f"/cases/{case.code}/files/{attachment.pk}/{tail}"


def test_an_attachment_is_not_found_for_a_township_officer_outside_scope(cast: Cast) -> None:
    case, attachment = attached(cast)
    client = cast.client_for(cast.outsider)
    assert client.get(file_url(case, attachment)).status_code == 404
    assert client.get(file_url(case, attachment, "thumbnail/")).status_code == 404


def test_the_lead_units_handler_opens_an_attachment_as_the_type_its_bytes_are(
    cast: Cast,
) -> None:
    case, attachment = attached(cast)
    response = cast.client_for(cast.by_role[Role.UNIT_HANDLER]).get(file_url(case, attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    download = cast.client_for(cast.by_role[Role.UNIT_HANDLER]).get(
        file_url(case, attachment) + "?download=1"
    )
    assert download["Content-Disposition"].startswith("attachment")


def test_a_file_is_stored_under_a_random_name_not_the_senders(cast: Cast) -> None:
    _case, attachment = attached(cast)
    assert "现场照片" not in attachment.file.name
    assert attachment.file.name.endswith(".jpg")
    assert attachment.name == "现场照片.jpg"


def test_a_thumbnail_is_a_small_jpeg_image(cast: Cast) -> None:
    case, attachment = attached(cast)
    response = cast.client_for(cast.by_role[Role.INTAKE_OFFICER]).get(
        file_url(case, attachment, "thumbnail/")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == files.THUMBNAIL_SIZE
    assert len(body) < 30_000


def _as_before_thumbnails(attachment: Attachment) -> None:
    """The row as a photo attached before thumbnails were made has it: none."""
    attachment.thumbnail.delete(save=False)
    Attachment.objects.filter(pk=attachment.pk).update(thumbnail="")


def test_a_photo_attached_before_thumbnails_gets_its_thumbnail_when_first_shown(
    cast: Cast,
) -> None:
    case, attachment = attached(cast)
    _as_before_thumbnails(attachment)
    handler = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    page = handler.get(f"/cases/{case.code}/").content.decode()
    # Shown as a photo, its thumbnail asked for …
    assert file_url(case, attachment, "thumbnail/") in page
    # … and made on that first request, stored, and served from then on.
    outsider = cast.client_for(cast.outsider)
    assert outsider.get(file_url(case, attachment, "thumbnail/")).status_code == 404
    attachment.refresh_from_db()
    assert not attachment.thumbnail  # nothing made for someone who may not read the case
    response = handler.get(file_url(case, attachment, "thumbnail/"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(body)) as image:
        assert max(image.size) == files.THUMBNAIL_SIZE
    attachment.refresh_from_db()
    assert attachment.thumbnail.name.startswith("cases/thumbs/")
    stored = attachment.thumbnail.name
    again = handler.get(file_url(case, attachment, "thumbnail/"))
    assert b"".join(again.streaming_content) == body
    attachment.refresh_from_db()
    assert attachment.thumbnail.name == stored  # made once


def test_a_file_that_is_not_a_photo_has_no_thumbnail_and_a_broken_photo_none_either(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    handler = cast.by_role[Role.UNIT_HANDLER]
    pdf = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.7\n%%EOF\n")
    [scan, shot] = services.case_attach(by=handler, case=case, uploads=[pdf, photo()])
    _as_before_thumbnails(shot)
    # The photo's bytes damaged in storage: a JPEG's start, then nothing an image is made of.
    storage, name = shot.file.storage, shot.file.name
    storage.delete(name)
    assert storage.save(name, io.BytesIO(b"\xff\xd8\xff" + b"0" * 100)) == name
    client = cast.client_for(handler)
    assert client.get(file_url(case, scan, "thumbnail/")).status_code == 404
    assert client.get(file_url(case, shot, "thumbnail/")).status_code == 404
    assert client.get(file_url(case, shot)).status_code == 200  # still opened as a file


def test_the_case_page_lists_each_file_with_type_size_who_and_when(cast: Cast) -> None:
    case, attachment = attached(cast)
    page = cast.client_for(cast.by_role[Role.LEADER]).get(f"/cases/{case.code}/")
    html = page.content.decode()
    assert "现场照片.jpg" in html
    assert file_url(case, attachment, "thumbnail/") in html
    assert "JPG" in html and "t1_police" in html
    assert attachment.uploaded_at.astimezone().strftime("%Y-%m-%d") in html


def test_attaching_is_a_timeline_step(cast: Cast) -> None:
    case, attachment = attached(cast)
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None and event.step == Step.ATTACH
    assert event.note == "现场照片"
    assert event.data["attachments"] == [{"id": attachment.pk, "name": "现场照片.jpg"}]


def test_a_file_named_jpg_whose_bytes_are_html_or_a_program_is_refused_beside_the_field(
    cast: Cast,
) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    events = CaseEvent.objects.filter(case=case).count()
    client = cast.client_for(cast.by_role[Role.UNIT_HANDLER])
    for body in (HTML, EXECUTABLE):
        response = client.post(
            f"/cases/{case.code}/do/attach/",
            {
                "attachments": [SimpleUploadedFile("照片.jpg", body, content_type="image/jpeg")],
                "note": "补充现场照片",
            },
        )
        assert response.status_code == 400
        html = response.content.decode()
        # The error is inside the attach form, right after its file field.
        form = html[html.index('data-step="attach"') :]
        field = form.index('name="attachments"')
        error = form.index("“照片.jpg”的内容不是可接收的文件类型")
        assert field < error < form.index('name="note"')
        assert "补充现场照片" in form  # what was typed stays
    assert Attachment.objects.count() == 0
    assert CaseEvent.objects.filter(case=case).count() == events


def test_content_decides_the_kind_whatever_the_name_says() -> None:
    def kind(data: bytes) -> files.Kind | None:
        return files.sniff(io.BytesIO(data))

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    assert kind(photo_bytes()) == files.JPEG
    assert kind(photo_bytes(fmt="PNG")) == files.PNG
    assert kind(photo_bytes(fmt="GIF")) == files.GIF
    assert kind(b"%PDF-1.7\n...") == files.PDF
    assert kind(docx.getvalue()) == files.DOCX
    assert kind(plain_zip.getvalue()) is None
    assert kind("调解笔录：双方同意。".encode()) == files.TEXT
    assert kind(b"\xff\xfbP\xc4" + b"\x00" * 100) == files.MP3
    assert kind("录音".encode("utf-16")) is None  # FF FE: not a recording
    assert kind(HTML) is None
    assert kind(EXECUTABLE) is None


def test_a_jpeg_header_on_garbage_is_not_an_image(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    broken = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200)
    with pytest.raises(ValidationError, match="不是完整的图片"):
        services.case_attach(by=cast.by_role[Role.UNIT_HANDLER], case=case, uploads=[broken])
    assert Attachment.objects.count() == 0


def test_a_refused_attachment_at_registration_registers_nothing_and_keeps_what_was_typed(
    cast: Cast,
) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    data = intake_post(cast, title="楼道堆放杂物", description="三楼住户在楼道堆放纸箱。")
    bad = SimpleUploadedFile("现场.jpg", HTML, content_type="image/jpeg")
    response = client.post("/cases/new/", {**data, "attachments": [photo(), bad]})
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0
    html = response.content.decode()
    assert "楼道堆放杂物" in html and "三楼住户在楼道堆放纸箱。" in html
    # Beside the file field, not inside a closed section.
    field = html[html.index('data-testid="attachments-field"') :]
    assert field.index('name="attachments"') < field.index("“现场.jpg”的内容不是可接收的文件类型")
    assert field.index("“现场.jpg”") < field.index("<details")


def test_a_case_registered_with_a_photo_keeps_it_with_its_thumbnail(cast: Cast) -> None:
    client = cast.client_for(cast.by_role[Role.INTAKE_OFFICER])
    response = client.post("/cases/new/", {**intake_post(cast), "attachments": [photo()]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.thumbnail and attachment.uploaded_by_name == "t1_intake"


def test_who_may_attach_is_who_works_on_the_open_case(cast: Cast) -> None:
    case = case_in(cast, Status.IN_PROGRESS)
    for role in (Role.INTAKE_OFFICER, Role.UNIT_HANDLER):
        services.case_attach(by=cast.by_role[role], case=case, uploads=[photo()])
    for who in (cast.by_role[Role.LEADER], cast.outsider):
        with pytest.raises(PermissionDenied):
            services.case_attach(by=who, case=case, uploads=[photo()])
    closed = case_in(cast, Status.CLOSED)
    with pytest.raises(Refused):
        services.case_attach(by=cast.by_role[Role.UNIT_HANDLER], case=closed, uploads=[photo()])
    assert Attachment.objects.count() == 2
