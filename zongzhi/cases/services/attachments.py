"""附件: files on a case, at registration (intake) or later (补充附件, a timeline step)."""

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.cases import files
from zongzhi.cases.models import Attachment, Case
from zongzhi.cases.rules import Step
from zongzhi.cases.services.steps import StepContext, _take_step
from zongzhi.core.services import actor_id, actor_name

NOTE_MAX = 500

log = logging.getLogger(__name__)


def check_uploads(uploads: Sequence[UploadedFile], *, field: str) -> list[files.Checked]:
    """Every file's kind by its content, or a ValidationError on `field` naming the first
    file refused; nothing is written either way."""
    if len(uploads) > files.MAX_FILES:
        raise ValidationError({field: f"一次最多上传{files.MAX_FILES}个文件"})
    return [
        files.check(upload, name=upload.name or "", size=upload.size, field=field)
        for upload in uploads
    ]


def save_attachments(
    case: Case,
    uploads: Sequence[UploadedFile],
    checked: Sequence[files.Checked],
    *,
    by: Actor,
    at: datetime,
) -> list[Attachment]:
    """Write the checked files (inside the caller's transaction)."""
    made = []
    for upload, found in zip(uploads, checked, strict=True):
        upload.name = found.stored_name()
        made.append(
            Attachment.objects.create(
                case=case,
                file=upload,
                thumbnail=files.thumbnail_file(found),
                name=found.name,
                content_type=found.kind.content_type,
                size=found.size,
                uploaded_by_id=actor_id(by),
                uploaded_by_name=actor_name(by),
                uploaded_at=at,
            )
        )
    return made


def case_attach(
    *, by: Actor, case: Case, uploads: Sequence[UploadedFile], note: str = ""
) -> list[Attachment]:
    """补充附件: anyone working on an open case adds files to it, with a word on what
    they are. Checked by content before anything is written; one timeline entry."""
    if not uploads:
        raise ValidationError({"attachments": "请选择要上传的文件"})
    if len(note.strip()) > NOTE_MAX:
        raise ValidationError({"note": f"说明不能超过{NOTE_MAX}字"})
    checked = check_uploads(uploads, field="attachments")
    made: list[Attachment] = []

    def write(c: StepContext) -> None:
        made.extend(save_attachments(c.case, uploads, checked, by=by, at=timezone.now()))
        c.data["attachments"] = [{"id": a.pk, "name": a.name} for a in made]

    _take_step(by=by, case=case, step=Step.ATTACH, note=note, write=write)
    return made


def thumbnail_of(attachment: Attachment) -> bool:
    """Whether the photo has its thumbnail, making it now if it has none: photos attached
    before thumbnails existed (and any whose thumbnail was lost) get theirs the first
    time someone who may read the case is shown them — no command to run, no pass over
    every file at once. The thumbnail is stored on the row, so it is made once; two
    people opening the page together both get one, and the one stored first is kept.
    A file that does not decode (or has too many pixels) has none, and is still opened
    as the file it is."""
    if attachment.thumbnail:
        return True
    if not attachment.is_image:
        return False
    try:
        with attachment.file.open("rb") as stream:
            made = files.make_thumbnail(stream)
    except Exception:  # missing, damaged or over-large: shown without a thumbnail
        log.warning("no thumbnail for attachment %s", attachment.pk, exc_info=True)
        return False
    field = attachment.thumbnail.field
    name = field.generate_filename(attachment, uuid.uuid4().hex + ".jpg")
    stored = field.storage.save(name, ContentFile(made))
    won = Attachment.objects.filter(pk=attachment.pk, thumbnail="").update(thumbnail=stored)
    if not won:
        field.storage.delete(stored)  # another request stored one first: use that
        attachment.refresh_from_db(fields=["thumbnail"])
        return bool(attachment.thumbnail)
    attachment.thumbnail.name = stored
    return True
