"""What an attachment may be, told by its bytes, and the thumbnail of a photo.

A file's name and the browser's content type are the sender's words; only the content
decides. Every file is treated as hostile: it is recognised by its first bytes (and,
for Office documents, by the members of its zip), an image must decode, and nothing is
ever served as HTML. The stored name is random, with the suffix of the kind found.
"""

import io
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 20 * 1024 * 1024  # a phone's photo or a scanned PDF; a long recording
MAX_FILES = 10  # in one submission
# A photo this large (pixels) is refused before it is decoded: a decompression bomb
# otherwise. 120 megapixels holds every phone camera's full-size mode.
MAX_PIXELS = 120_000_000
THUMBNAIL_SIZE = 320  # the long side, in pixels: sharp at 160 px on a 2x phone screen
# Text files are shown as text; a "text" that is really a page or a script is not text.
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


@dataclass(frozen=True)
class Kind:
    content_type: str
    suffix: str  # the stored and downloaded name ends so
    label: str  # as the case page names it
    # Shown in the browser (photos, PDF, text, recordings); the others are downloaded.
    inline: bool = True

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


JPEG = Kind("image/jpeg", ".jpg", "JPG")
PNG = Kind("image/png", ".png", "PNG")
GIF = Kind("image/gif", ".gif", "GIF")
WEBP = Kind("image/webp", ".webp", "WebP")
PDF = Kind("application/pdf", ".pdf", "PDF")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    "Word",
    inline=False,
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    "Excel",
    inline=False,
)
TEXT = Kind("text/plain", ".txt", "TXT")
MP3 = Kind("audio/mpeg", ".mp3", "MP3")
M4A = Kind("audio/mp4", ".m4a", "M4A")
WAV = Kind("audio/wav", ".wav", "WAV")
AMR = Kind("audio/amr", ".amr", "AMR")  # what many phones record calls in
KINDS = {
    k.content_type: k for k in (JPEG, PNG, GIF, WEBP, PDF, DOCX, XLSX, TEXT, MP3, M4A, WAV, AMR)
}

ACCEPTED = _(
    "照片（JPG/PNG/GIF/WebP）、PDF、Word（docx）、Excel（xlsx）、文本（txt）"
    "和录音（MP3/M4A/WAV/AMR）"
)


def _office(stream: IO[bytes]) -> Kind | None:
    """A docx or xlsx is a zip with the members its format names. Only the zip's
    directory is read, never a member, so a zip bomb costs nothing."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names or any("vbaProject" in n for n in names):
        return None  # not Office, or an Office file with macros
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _text(data: bytes) -> Kind | None:
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = body.decode("gb18030")  # what a Chinese Windows Notepad may write
        except UnicodeDecodeError:
            return None
    if any(ch in text for ch in "\x00\x1b") or not text.strip():
        return None
    if body.lstrip()[:16].lower().startswith(_MARKUP):
        return None
    return TEXT


def sniff(stream: IO[bytes]) -> Kind | None:
    """The kind of file the bytes are, or None for anything else."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in {b"GIF87a", b"GIF89a"}:
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office(stream)
    # An MP3 opens with its tag or with a Layer III frame (FF FB, FF F3 …); a looser
    # test would take a UTF-16 text's FF FE for a recording.
    if head.startswith(b"ID3") or (head[:1] == b"\xff" and head[1:2] in _MP3_FRAMES):
        return MP3
    # A voice recorder's M4A; not any MP4 (a video).
    if head[4:8] == b"ftyp" and head[8:12] in {b"M4A ", b"3gp4", b"3gp5"}:
        return M4A
    if head.startswith(b"#!AMR"):
        return AMR
    data = stream.read(MAX_TEXT_SNIFF)
    stream.seek(0)
    return _text(data)


MAX_TEXT_SNIFF = 64 * 1024
_MP3_FRAMES = {b"\xfb", b"\xfa", b"\xf3", b"\xf2", b"\xe3", b"\xe2"}


@dataclass(frozen=True)
class Checked:
    """A file that passed: its kind, the name to show, and the thumbnail of a photo."""

    kind: Kind
    name: str
    size: int
    thumbnail: bytes | None = None

    def stored_name(self) -> str:
        return uuid.uuid4().hex + self.kind.suffix


def _display_name(name: str, kind: Kind) -> str:
    """The sender's name, cut to what the model keeps, ending in the kind's suffix."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "附件"
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    fitting = {kind.suffix, ".jpeg"} if kind is JPEG else {kind.suffix}
    if "." + suffix.lower() not in fitting:
        stem, suffix = name, kind.suffix[1:]
    cut = 200 - len(suffix) - 1
    return f"{stem[:cut]}.{suffix}"


def check(upload: IO[bytes], *, name: str, size: int | None, field: str) -> Checked:
    """The file's kind, or a ValidationError on `field` naming the file and why."""
    shown = name.replace("\\", "/").rsplit("/", 1)[-1][:80] or "附件"
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            {
                field: gettext("“%(name)s”超过%(mb)sMB，请压缩或分开上传")
                % {"name": shown, "mb": MAX_BYTES // (1024 * 1024)}
            }
        )
    if not size:
        raise ValidationError({field: gettext("“%(name)s”是空文件") % {"name": shown}})
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                field: gettext("“%(name)s”的内容不是可接收的文件类型：只收%(accepted)s")
                % {"name": shown, "accepted": ACCEPTED}
            }
        )
    thumbnail = None
    if kind.is_image:
        try:
            thumbnail = make_thumbnail(upload)
        except TooLarge:
            raise ValidationError(
                {field: gettext("“%(name)s”像素过多（超过1.2亿），请缩小后上传") % {"name": shown}}
            ) from None
        except Exception:  # any failure to decode: not a usable image
            raise ValidationError(
                {field: gettext("“%(name)s”不是完整的图片，无法打开") % {"name": shown}}
            ) from None
        finally:
            upload.seek(0)
    return Checked(kind=kind, name=_display_name(name, kind), size=size, thumbnail=thumbnail)


class TooLarge(Exception):
    pass


def make_thumbnail(stream: IO[bytes]) -> bytes:
    """A small JPEG of the photo, turned upright as the camera meant it. Decoding it in
    full is also the proof that the file is an image."""
    from PIL import Image, ImageOps

    stream.seek(0)
    with Image.open(stream) as image:
        if image.width * image.height > MAX_PIXELS:
            raise TooLarge
        # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that is enough: a 12-megapixel
        # photo's thumbnail then costs a fraction of decoding it in full.
        image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        if upright.mode not in {"RGB", "L"}:
            background = Image.new("RGB", upright.size, "white")
            rgba = upright.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            upright = background
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def thumbnail_file(checked: Checked) -> ContentFile[bytes] | None:
    if checked.thumbnail is None:
        return None
    return ContentFile(checked.thumbnail, name=uuid.uuid4().hex + ".jpg")
