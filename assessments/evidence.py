"""佐证材料: checking an upload and storing it, and removing it again.

A file is judged by what it contains, not by its name or by the type the
browser sends: the name must end in an allowed extension AND the first bytes
must be that type's signature (an .exe renamed .jpg, an HTML page renamed .png,
a PNG named .pdf are all refused). .docx and .xlsx are zip files, so the zip's
directory is read (never inflated) for the part that makes it a Word document
or a workbook, and its declared unpacked size is checked so a zip bomb is
refused like in partybuild/xlsx.py. The content type stored is ours, decided
from the check, and the download view serves exactly that.

Nothing is stored unless every check passes: no row, no file on disk.
"""

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Assessment, Evidence, ItemResponse
from .services import check_fillable

# Per item: enough for a set of photos and a document, not a dumping ground.
MAX_FILES_PER_ITEM = 10
# A zip directory with more entries than this is not an ordinary Office file.
MAX_ZIP_ENTRIES = 10_000
HEAD_BYTES = 16


@dataclass(frozen=True)
class FileType:
    extensions: tuple
    content_type: str
    label: str


# The kinds settings.EVIDENCE_TYPES may name; the order is the one shown to users.
FILE_TYPES = {
    "pdf": FileType((".pdf",), "application/pdf", "PDF"),
    "jpg": FileType((".jpg", ".jpeg"), "image/jpeg", "JPG"),
    "png": FileType((".png",), "image/png", "PNG"),
    "docx": FileType(
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (.docx)",
    ),
    "xlsx": FileType(
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel (.xlsx)",
    ),
}
# The part of the zip that makes an Office file what its name says.
OFFICE_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ACCEPT = ",".join(ext for t in FILE_TYPES.values() for ext in t.extensions)


class EvidenceRejected(Exception):
    """An upload refused; `message` is for the user, `code` for code and tests."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message, self.code = message, code


def allowed_kinds():
    return [kind for kind in settings.EVIDENCE_TYPES if kind in FILE_TYPES]


def allowed_labels():
    return "、".join(FILE_TYPES[kind].label for kind in allowed_kinds())


def kind_for_name(name):
    """The allowed kind a file name claims by its extension, or None."""
    extension = os.path.splitext(name or "")[1].lower()
    for kind in allowed_kinds():
        if extension in FILE_TYPES[kind].extensions:
            return kind
    return None


def clean_name(name):
    """The name to keep and show: no folders (old browsers send a full path), no control
    characters, at most 200 characters with the extension kept."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 200:
        stem, extension = os.path.splitext(name)
        name = stem[: 200 - len(extension)] + extension
    return name or "file"


def _megabytes(size):
    return f"{size / (1024 * 1024):.3g}"


def _mismatch(kind):
    return EvidenceRejected(
        _("The file's content is not a real %(type)s file. Choose the original file.")
        % {"type": FILE_TYPES[kind].label},
        "content_mismatch",
    )


def _check_office_zip(uploaded_file, kind):
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _mismatch(kind) from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or OFFICE_MAIN_PART[kind] not in names:
        raise _mismatch(kind)
    # The directory's sizes bound what inflating would produce (zipfile stops at the
    # declared size and fails the CRC if the data says more), as in partybuild/xlsx.py.
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    if len(infos) > MAX_ZIP_ENTRIES or sum(info.file_size for info in infos) > limit:
        raise EvidenceRejected(
            _("The file is too large once unpacked (over %(size)s MB).")
            % {"size": _megabytes(limit)},
            "zip_too_large",
        )


def check_content(uploaded_file, kind):
    """Raise EvidenceRejected unless the bytes are what `kind` says."""
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    if kind == "pdf":
        ok = head.startswith(b"%PDF-")
    elif kind == "jpg":
        ok = head.startswith(b"\xff\xd8\xff")
    elif kind == "png":
        ok = head.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        ok = head.startswith(b"PK\x03\x04")
        if ok:
            _check_office_zip(uploaded_file, kind)
    if not ok:
        raise _mismatch(kind)


def too_large_error():
    return EvidenceRejected(
        _("The file is too large (limit %(size)s MB).")
        % {"size": _megabytes(settings.EVIDENCE_MAX_BYTES)},
        "too_large",
    )


def validate_upload(uploaded_file):
    """(kind, name to keep) of an acceptable upload, or EvidenceRejected."""
    if uploaded_file is None:
        raise EvidenceRejected(_("Choose a file to upload."), "no_file")
    name = clean_name(getattr(uploaded_file, "name", ""))
    kind = kind_for_name(name)
    if kind is None:
        raise EvidenceRejected(
            _("This type of file cannot be uploaded. Allowed: %(types)s.")
            % {"types": allowed_labels()},
            "bad_type",
        )
    size = uploaded_file.size
    if not size:
        raise EvidenceRejected(_("The file is empty."), "empty")
    if size > settings.EVIDENCE_MAX_BYTES:
        raise too_large_error()
    check_content(uploaded_file, kind)
    return kind, name


def file_sha256(uploaded_file):
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def evidence_add(*, response, uploaded_file, by):
    """Check and store one file for an item response; returns the Evidence row.

    The assessment must still be fillable (the view checks the user may fill it).
    """
    kind, name = validate_upload(uploaded_file)
    with transaction.atomic():
        # The assessment's lock (the one saving and submitting take) keeps an upload out of
        # a submission in progress and two uploads from passing the per-item limit together.
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .get(pk=response.assessment_id)
        )
        check_fillable(assessment)
        response = ItemResponse.objects.get(pk=response.pk)
        response.assessment = assessment
        if response.evidence.count() >= MAX_FILES_PER_ITEM:
            raise EvidenceRejected(
                _("An item can have at most %(n)d files. Delete one first.")
                % {"n": MAX_FILES_PER_ITEM},
                "too_many",
            )
        evidence = Evidence(
            response=response,
            original_name=name,
            content_type=FILE_TYPES[kind].content_type,
            size=uploaded_file.size,
            sha256=file_sha256(uploaded_file),
            uploaded_by=by,
        )
        evidence.file.save(name, uploaded_file, save=False)
        stored = evidence.file.name
        try:
            evidence.save()
        except Exception:
            evidence.file.storage.delete(stored)
            raise
        # Should the surrounding transaction roll back later, the file is an orphan;
        # it is named at random and unreachable, so that is harmless.
    return evidence


def evidence_remove(*, evidence, by):
    """Delete the row now and the file once the deletion is committed."""
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .get(pk=evidence.response.assessment_id)
        )
        check_fillable(assessment)
        storage, name = evidence.file.storage, evidence.file.name
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(name))
