"""Evidence uploads (claims, credentials, profile changes): what may be stored, and where it is kept.

The type is decided by the file's first bytes, never by its name or the browser's content type, so a script
renamed to .png is refused. Files go to the "private" storage (settings.STORAGES), which has no URL: they are
served only by views that check who asks (see each app's evidence view).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

# Signature → (content type, the extensions a file of that type may carry).
EVIDENCE_TYPES = {
    b"\x89PNG\r\n\x1a\n": ("image/png", {".png"}),
    b"\xff\xd8\xff": ("image/jpeg", {".jpg", ".jpeg"}),
    b"%PDF-": ("application/pdf", {".pdf"}),
}


def evidence_max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


def evidence_content_type(upload) -> str:
    """The checked content type of an uploaded evidence file; ValidationError naming what is wrong otherwise."""
    if upload.size > evidence_max_bytes():
        raise ValidationError(
            _("文件过大：%(size).1f MB，上限 %(limit)d MB。")
            % {"size": upload.size / 1024 / 1024, "limit": evidence_max_bytes() // (1024 * 1024)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("文件为空。"), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    extension = name[name.rfind("."):] if "." in name else ""
    for signature, (content_type, extensions) in EVIDENCE_TYPES.items():
        if head.startswith(signature):
            if extension not in extensions:
                raise ValidationError(
                    _("文件扩展名 “%(ext)s” 与内容（%(type)s）不符。") % {"ext": extension or "—", "type": content_type},
                    code="extension_mismatch",
                )
            return content_type
    raise ValidationError(_("只接受 PNG、JPEG 或 PDF 文件（按文件内容判断）。"), code="wrong_type")


def private_storage():
    """The storage for evidence: not under MEDIA_URL, never served directly (callable, so tests can swap it)."""
    return storages["private"]


def evidence_upload_to(instance, filename: str) -> str:
    """A random name under the model's folder: the original name (often personal) is not kept on disk."""
    extension = filename[filename.rfind("."):].lower() if "." in filename else ""
    return f"evidence/{instance._meta.model_name}/{uuid.uuid4().hex}{extension}"


EVIDENCE_EXTENSIONS = {content_type: min(extensions) for content_type, extensions in EVIDENCE_TYPES.values()}


def evidence_file_response(field_file, *, content_type: str, filename: str):
    """A stored evidence file with its checked type: images inline, PDFs as a download; never sniffed or cached.

    `filename` is given without extension (the stored type decides it); a missing file is a 404.
    """
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not content_type.startswith("image/"),
        filename=f"{filename}{EVIDENCE_EXTENSIONS.get(content_type, '')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


EVIDENCE_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}


def evidence_response(obj, *, prefix: str):
    """A stored evidence file (`obj.evidence`, `obj.evidence_type`) with its checked type: images inline, PDFs as a
    download; never sniffed, never cached. The caller has checked who asks."""
    from django.http import FileResponse, Http404

    try:
        handle = obj.evidence.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=obj.evidence_type, as_attachment=not obj.evidence_type.startswith("image/"),
        filename=f"{prefix}-{obj.pk}{EVIDENCE_EXTENSIONS.get(obj.evidence_type, '')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
