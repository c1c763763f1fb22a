"""Deal attachments: accept a file only if its bytes are an allowed type.

The type is sniffed from the content (magic bytes, the parts inside an Office
zip, text that is valid UTF-8 and not markup), and the file name's extension
must agree with it: an HTML page named contract.pdf is refused. Files are
stored under a random name and served only by views that check the deal's
scope (contracts.views.attachment_download, the API's `download`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import permissions as p
from contracts.models import ContractAttachment, Deal


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("application/pdf", (".pdf",))
PNG = Kind("image/png", (".png",))
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"))
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
TEXT = Kind("text/plain; charset=utf-8", (".txt", ".csv", ".md"))
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, TEXT)
SNIFF_BYTES = 8192
# Text a browser could take for a page or an image with script, whatever the header says.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b", re.IGNORECASE)


def sniff(upload: UploadedFile) -> Kind | None:
    """The allowed kind these bytes are, or None."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    return TEXT if _is_plain_text(upload) else None


def _office_kind(upload: UploadedFile) -> Kind | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    return XLSX if "xl/workbook.xml" in names else None


def _is_plain_text(upload: UploadedFile) -> bool:
    decoder_ok = True
    for chunk in upload.chunks():
        if b"\x00" in chunk or MARKUP.search(chunk):
            decoder_ok = False
            break
    upload.seek(0)
    if not decoder_ok:
        return False
    try:
        upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def safe_name(name: str) -> str:
    """The uploader's file name reduced to its last part, without control
    characters or path separators; only ever shown and sent back, never a path."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[-200:] or "attachment"


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload: UploadedFile) -> tuple[str, Kind]:
    """The cleaned name and sniffed kind, or a ValidationError on `file`."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}}, code="size"
        )
    name = safe_name(upload.name or "")
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": _(
                    "Only PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) and plain text files are accepted."
                )
            },
            code="type",
        )
    if _extension(name) not in kind.extensions:
        raise ValidationError(
            {
                "file": _(
                    "The file's content does not match its name: rename it %(ext)s or upload the real file."
                )
                % {"ext": " / ".join(kind.extensions)}
            },
            code="mismatch",
        )
    return name, kind


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_upload(*, deal: Deal, upload: UploadedFile, acting_user: User) -> ContractAttachment:
    if not p.can_attach_files(acting_user, deal):
        raise PermissionDenied
    name, kind = check_upload(upload)
    attachment = ContractAttachment(
        deal=deal,
        original_name=name,
        content_type=kind.content_type,
        size=upload.size,
        sha256=_sha256(upload),
        uploaded_by=acting_user,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ContractAttachment, acting_user: User) -> ContractAttachment | None:
    """Delete it while the deal is unsigned; once signed, archive it (hidden from
    the list, still downloadable by id). Returns the archived row, or None."""
    attachment = ContractAttachment.objects.select_for_update().select_related("deal").get(pk=attachment.pk)
    if not p.can_remove_attachment(acting_user, attachment):
        raise PermissionDenied
    if attachment.deal.signed_at is not None:
        attachment.archived = True
        attachment.save(update_fields=["archived"])
        return attachment
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))
    return None


def attachment_response(attachment: ContractAttachment) -> FileResponse:
    """The file as a download that no browser renders or runs."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Checksum-SHA256"] = attachment.sha256
    return response
