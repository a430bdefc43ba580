"""佐证材料: upload checks (type by content, size, zip), storing, download and delete scope.

Every refused upload must leave nothing behind: no Evidence row and no file in
MEDIA_ROOT (a temporary folder per test). The files are built here, tiny but real.
"""

import hashlib
import io
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from assessments import services
from assessments.evidence import MAX_FILES_PER_ITEM, EvidenceRejected, evidence_add
from assessments.models import AssessmentStatus, Evidence
from orgs.models import Level, Role

from ..factories import AssignmentFactory, OrganizationFactory, UserFactory
from .conftest import answers_for

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- tiny real files

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
       b"\xff\xdb\x00\x43\x00" + bytes(64) + b"\xff\xd9")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def png_bytes():
    """A real 1×1 red PNG: signature, IHDR, a zlib-compressed IDAT, IEND."""
    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zip_bytes(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/content-types"/>')


def docx_bytes(extra=None):
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body/></w:document>',
    }
    parts.update(extra or {})
    return zip_bytes(parts)


def xlsx_bytes():
    wb = Workbook()
    wb.active["A1"] = "党员人数"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def files_in(media):
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.fixture
def zs02(a1, people):
    """A1's item that needs evidence (opened as the secretary would)."""
    services.assessment_open(assessment=a1, by=people.dave)
    return a1.responses.select_related("item").get(item__code="ZS-02")


@pytest.fixture
def outsider(db):
    root = OrganizationFactory(code="X", name="别的县委", level=Level.COUNTY, category=None)
    user = UserFactory(username="xavier", full_name="外县 员工")
    AssignmentFactory(user=user, organization=root, role=Role.COUNTY_STAFF)
    return user


def upload_url(response):
    return reverse("assessments:evidence_upload", args=[response.pk])


def user_named(people, outsider, who):
    return outsider if who == "outsider" else getattr(people, who)


# ---------------------------------------------------------------- good files


@pytest.mark.parametrize("name, content, content_type", [
    ("会议记录.pdf", PDF, "application/pdf"),
    ("活动照片.jpg", JPG, "image/jpeg"),
    ("现场.JPEG", JPG, "image/jpeg"),
    ("阵地.png", png_bytes(), "image/png"),
    ("整改报告.docx", docx_bytes(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("台账.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_good_files_are_stored(client_for, people, media, zs02, name, content, content_type):
    # The browser claims text/html: the stored type is ours, from the content.
    response = client_for(people.dave).post(
        upload_url(zs02), {"file": upload(name, content, "text/html")}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("assessments:fill", args=[zs02.assessment_id]) + f"#item-{zs02.item_id}"
    )
    evidence = Evidence.objects.get()
    assert evidence.response == zs02
    assert evidence.original_name == name
    assert evidence.content_type == content_type
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == people.dave
    [stored] = files_in(media)
    assert stored.read_bytes() == content
    assert name not in str(stored) and stored.suffix == ""  # a random name on disk


def test_uploaded_file_is_listed_and_counts_for_the_progress(client_for, people, media, zs02):
    client = client_for(people.dave)
    client.post(upload_url(zs02), {"file": upload("会议记录.pdf", PDF)})
    html = client.get(reverse("assessments:fill", args=[zs02.assessment_id])).content.decode()
    evidence = Evidence.objects.get()
    assert reverse("assessments:evidence_download", args=[evidence.pk]) in html
    assert "会议记录.pdf" in html
    assert 'data-evidence-missing="0"' in html


def test_file_at_the_size_limit_is_accepted(client_for, people, media, zs02, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    content = PDF + b"%" * (1000 - len(PDF))
    response = client_for(people.dave).post(upload_url(zs02), {"file": upload("a.pdf", content)})
    assert response.status_code == 302 and Evidence.objects.count() == 1


# ---------------------------------------------------------------- refused files


def assert_refused(response, media, zs02):
    assert response.status_code == 400
    html = response.content.decode()
    card = html.split(f'id="item-{zs02.item_id}"', 1)[1].split('item-card', 1)[0]
    assert 'data-testid="item-error"' in card
    assert Evidence.objects.count() == 0
    assert files_in(media) == []
    return html


@pytest.mark.parametrize("name, content, code", [
    ("扫描件.pdf", png_bytes(), "content_mismatch"),       # a PNG named .pdf
    ("照片.jpg", EXE, "content_mismatch"),                 # an .exe renamed .jpg
    ("图片.png", HTML, "content_mismatch"),                # HTML renamed .png
    ("照片.jpg", png_bytes(), "content_mismatch"),
    ("报告.docx", xlsx_bytes(), "content_mismatch"),       # a workbook named .docx
    ("台账.xlsx", docx_bytes(), "content_mismatch"),
    ("报告.docx", zip_bytes({"a.txt": b"hello"}), "content_mismatch"),  # any zip
    ("台账.xlsx", b"PK\x03\x04 not really a zip", "content_mismatch"),
    ("报告.docx", PDF, "content_mismatch"),
    ("tool.exe", EXE, "bad_type"),
    ("page.html", HTML, "bad_type"),
    ("说明.txt", b"plain text", "bad_type"),
    ("旧表格.xls", b"\xd0\xcf\x11\xe0", "bad_type"),
    ("no-extension", PDF, "bad_type"),
    ("空文件.pdf", b"", "empty"),
])
def test_bad_files_are_refused_and_nothing_is_stored(
    client_for, people, media, zs02, name, content, code
):
    response = client_for(people.dave).post(upload_url(zs02), {"file": upload(name, content)})
    assert_refused(response, media, zs02)
    with pytest.raises(EvidenceRejected) as exc:
        evidence_add(response=zs02, uploaded_file=upload(name, content), by=people.dave)
    assert exc.value.code == code
    assert Evidence.objects.count() == 0 and files_in(media) == []


def test_too_large_is_refused_before_it_is_stored(client_for, people, media, zs02, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    content = PDF + b"%" * 2000
    response = client_for(people.dave).post(upload_url(zs02), {"file": upload("大文件.pdf", content)})
    assert_refused(response, media, zs02)
    with pytest.raises(EvidenceRejected) as exc:
        evidence_add(response=zs02, uploaded_file=upload("大文件.pdf", content), by=people.dave)
    assert exc.value.code == "too_large"


def test_zip_that_unpacks_too_large_is_refused(client_for, people, media, zs02, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 10_000
    bomb = docx_bytes({"word/media/padding.bin": bytes(200_000)})  # a few hundred bytes packed
    assert len(bomb) < 10_000
    response = client_for(people.dave).post(upload_url(zs02), {"file": upload("报告.docx", bomb)})
    assert_refused(response, media, zs02)
    with pytest.raises(EvidenceRejected) as exc:
        evidence_add(response=zs02, uploaded_file=upload("报告.docx", bomb), by=people.dave)
    assert exc.value.code == "zip_too_large"


def test_no_file_is_refused(client_for, people, media, zs02):
    response = client_for(people.dave).post(upload_url(zs02), {})
    assert_refused(response, media, zs02)


def test_upload_checks_the_csrf_token(people, media, zs02):
    """The view is csrf_exempt only so the size limit is in place first; it checks after."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.dave)
    response = client.post(upload_url(zs02), {"file": upload("a.pdf", PDF)})
    assert response.status_code == 403
    assert Evidence.objects.count() == 0 and files_in(media) == []


def test_unreadable_body_is_refused(client_for, people, media, zs02):
    response = client_for(people.dave).generic(
        "POST", upload_url(zs02), b"--x\r\nnot a part", content_type="multipart/form-data"
    )
    assert_refused(response, media, zs02)


def test_files_per_item_are_limited(client_for, people, media, zs02):
    for n in range(MAX_FILES_PER_ITEM):
        evidence_add(response=zs02, uploaded_file=upload(f"{n}.pdf", PDF), by=people.dave)
    stored = files_in(media)
    response = client_for(people.dave).post(upload_url(zs02), {"file": upload("多余.pdf", PDF)})
    assert response.status_code == 400
    assert Evidence.objects.count() == MAX_FILES_PER_ITEM
    assert sorted(files_in(media)) == sorted(stored)


def test_a_stored_name_is_cleaned(people, media, zs02):
    evidence = evidence_add(
        response=zs02, uploaded_file=upload("C:\\Users\\dave\\照片\x07.png", png_bytes()),
        by=people.dave,
    )
    assert evidence.original_name == "照片.png"


# ---------------------------------------------------------------- who may upload


def test_upload_anonymous_goes_to_login(client, media, zs02):
    response = client.post(upload_url(zs02), {"file": upload("a.pdf", PDF)})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Evidence.objects.count() == 0 and files_in(media) == []


@pytest.mark.parametrize("who, status", [
    ("erin", 404), ("charlie", 404), ("outsider", 404), ("bob", 403), ("victor", 403),
    ("alice", 403),
])
def test_upload_by_others(client_for, people, outsider, media, zs02, who, status):
    client = client_for(user_named(people, outsider, who))
    response = client.post(upload_url(zs02), {"file": upload("a.pdf", PDF)})
    assert response.status_code == status
    assert Evidence.objects.count() == 0 and files_in(media) == []


def test_upload_is_post_only(client_for, people, zs02):
    assert client_for(people.dave).get(upload_url(zs02)).status_code == 405


def test_no_upload_once_submitted(client_for, people, media, a1, zs02):
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(
        a1, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
        ZD_02={"text": "做法"}))
    evidence_add(response=zs02, uploaded_file=upload("a.pdf", PDF), by=people.dave)
    services.assessment_submit(assessment=a1, by=people.dave)
    stored = files_in(media)
    response = client_for(people.dave).post(upload_url(zs02), {"file": upload("b.pdf", PDF)})
    assert response.status_code == 403
    assert Evidence.objects.count() == 1 and files_in(media) == stored


# ---------------------------------------------------------------- download


@pytest.fixture
def evidence(people, media, zs02):
    return evidence_add(response=zs02, uploaded_file=upload("会议记录.pdf", PDF), by=people.dave)


def download_url(evidence):
    return reverse("assessments:evidence_download", args=[evidence.pk])


@pytest.mark.parametrize("who", ["dave", "bob", "alice", "victor", "root"])
def test_download_in_scope(client_for, people, evidence, who):
    response = client_for(getattr(people, who)).get(download_url(evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    response.close()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("会议记录.pdf") in disposition


@pytest.mark.parametrize("who", ["erin", "charlie", "outsider", "nobody"])
def test_download_outside_scope_is_404(client_for, people, outsider, evidence, who):
    response = client_for(user_named(people, outsider, who)).get(download_url(evidence))
    assert response.status_code == 404


def test_download_anonymous_goes_to_login(client, evidence):
    response = client.get(download_url(evidence))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_download_of_a_missing_file_is_404(client_for, people, evidence):
    evidence.file.storage.delete(evidence.file.name)
    assert client_for(people.dave).get(download_url(evidence)).status_code == 404


def test_download_query_count(client_for, people, evidence, django_assert_max_num_queries):
    client = client_for(people.dave)
    # session, user, grants, the evidence (with response, assessment, organization) in scope.
    with django_assert_max_num_queries(4):
        response = client.get(download_url(evidence))
    assert response.status_code == 200
    response.close()


# ---------------------------------------------------------------- delete


def delete_url(evidence):
    return reverse("assessments:evidence_delete", args=[evidence.pk])


def test_delete_removes_row_and_file(
    client_for, people, media, evidence, django_capture_on_commit_callbacks
):
    assert len(files_in(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people.dave).post(delete_url(evidence))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{evidence.response.item_id}")
    assert Evidence.objects.count() == 0
    assert files_in(media) == []


def test_delete_anonymous_goes_to_login(client, media, evidence):
    response = client.post(delete_url(evidence))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize("who, status", [
    ("erin", 404), ("charlie", 404), ("outsider", 404), ("bob", 403), ("victor", 403),
])
def test_delete_by_others(client_for, people, outsider, media, evidence, who, status):
    response = client_for(user_named(people, outsider, who)).post(delete_url(evidence))
    assert response.status_code == status
    assert Evidence.objects.count() == 1 and len(files_in(media)) == 1


def test_delete_is_post_only(client_for, people, evidence):
    assert client_for(people.dave).get(delete_url(evidence)).status_code == 405
    assert Evidence.objects.count() == 1


def test_no_delete_once_submitted(client_for, people, media, a1, evidence):
    services.assessment_save(assessment=a1, by=people.dave, answers=answers_for(
        a1, ZB_01="true", ZB_02="好", ZS_01="12", ZS_02="true", ZD_01="80",
        ZD_02={"text": "做法"}))
    services.assessment_submit(assessment=a1, by=people.dave)
    response = client_for(people.dave).post(delete_url(evidence))
    assert response.status_code == 403
    assert Evidence.objects.count() == 1 and len(files_in(media)) == 1
    a1.refresh_from_db()
    assert a1.status == AssessmentStatus.SUBMITTED
