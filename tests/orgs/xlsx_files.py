"""Building .xlsx files (good and bad) for the import tests, in memory."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from orgs.excel import HEADERS

HEADER = list(HEADERS.values())


def row(code, name, parent, level="党支部", category="村", secretary="张三",
        phone="13800000000", members=12, founded=None, area=None, demo="否"):
    """One data row in the file's column order."""
    return [code, name, parent, level, category, secretary, phone, members, founded, area, demo]


def workbook_bytes(rows, *, header=HEADER, title_rows=True) -> bytes:
    """A normal (not write-only) workbook: a value starting with '=' becomes a formula cell."""
    wb = Workbook()
    ws = wb.active
    if title_rows:
        ws.append(["党组织架构"])
        ws.append(["范围：测试"])
    if header is not None:
        ws.append(header)
    for values in rows:
        ws.append(values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(content: bytes, name="组织.xlsx"):
    return SimpleUploadedFile(
        name, content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def zip_bytes(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_bytes(megabytes=300) -> bytes:
    """A small file that claims to be a workbook and unpacks to `megabytes` of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"0" * (1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def damaged_workbook_bytes() -> bytes:
    """A zip with the right part names whose XML is garbage."""
    return zip_bytes(
        {
            "[Content_Types].xml": "<Types",
            "xl/workbook.xml": "\x00\x01 not xml",
            "xl/worksheets/sheet1.xml": "<<<",
        }
    )


def read_cells(content: bytes):
    """All rows of the first sheet as values, with formulas kept (for checking exports)."""
    wb = load_workbook(io.BytesIO(content), data_only=False)
    ws = wb.worksheets[0]
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]
