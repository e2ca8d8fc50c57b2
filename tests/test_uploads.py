"""Evidence uploads: the type is read from the content, the size is capped, and nothing else gets through."""
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from common.uploads import evidence_content_type, evidence_upload_to, private_storage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"\x00" * 32


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("shot.png", PNG, "image/png"),
    ("SHOT.PNG", PNG, "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("licence.pdf", PDF, "application/pdf"),
])
def test_png_jpeg_and_pdf_are_accepted_by_their_content(name, content, expected):
    assert evidence_content_type(SimpleUploadedFile(name, content, content_type="text/plain")) == expected


@pytest.mark.parametrize(("name", "content", "code", "message"), [
    ("evil.png", b"<script>alert(1)</script>", "wrong_type", "只接受 PNG、JPEG 或 PDF 文件（按文件内容判断）。"),
    ("shot.pdf", PNG, "extension_mismatch", "文件扩展名 “.pdf” 与内容（image/png）不符。"),
    ("shot", PNG, "extension_mismatch", "文件扩展名 “—” 与内容（image/png）不符。"),
    ("page.html", PDF, "extension_mismatch", "文件扩展名 “.html” 与内容（application/pdf）不符。"),
    ("empty.png", b"", "empty", "文件为空。"),
])
def test_wrong_types_lying_extensions_and_empty_files_are_refused_with_the_reason(name, content, code, message):
    with pytest.raises(ValidationError) as error:
        evidence_content_type(SimpleUploadedFile(name, content))
    assert error.value.code == code
    assert error.value.messages == [message]


def test_a_file_over_the_limit_is_refused_naming_size_and_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        evidence_content_type(big)
    assert error.value.messages == ["文件过大：5.0 MB，上限 5 MB。"]
    exactly = SimpleUploadedFile("ok.png", PNG + b"\x00" * (5 * 1024 * 1024 - len(PNG)))
    assert evidence_content_type(exactly) == "image/png"


def test_stored_names_are_random_and_keep_only_the_extension():
    class Claim:
        class _meta:
            model_name = "storeclaim"

    first, second = evidence_upload_to(Claim(), "张三的后台截图.PNG"), evidence_upload_to(Claim(), "张三的后台截图.PNG")
    assert first.startswith("evidence/storeclaim/") and first.endswith(".png")
    assert "张三" not in first and first != second


def test_the_private_storage_has_no_public_url():
    with pytest.raises(ValueError):
        private_storage().url("evidence/x.png")
