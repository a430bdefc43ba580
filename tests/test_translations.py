"""The zh_Hans catalog is complete: every UI string in the code has a translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from .conftest import need

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# Every app (a folder with apps.py), the project package and the templates.
SOURCES = sorted(
    p.name for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name in ("partybuild", "templates")
)


def catalog_msgids(po):
    ids = set()
    for entry in po:
        if entry.obsolete:
            continue
        ids.add((entry.msgctxt, entry.msgid))
    return ids


def test_every_entry_is_translated():
    po = polib.pofile(str(PO))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert not missing, f"untranslated: {missing[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalog_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(MO))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in mo}
    for entry in po:
        if entry.obsolete or not entry.translated():
            continue
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"not compiled (run make messages): {entry.msgid!r}"
        assert compiled[key] == (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))), (
            f"stale .mo for {entry.msgid!r} (run make messages)"
        )


def test_no_string_in_the_code_is_missing_from_the_catalog(tmp_path):
    need(shutil.which("xgettext") is not None, "needs gettext's xgettext (apt-get install gettext)")
    for name in SOURCES:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "partybuild.settings.test", "PYTHONPATH": str(ROOT),
             "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    ours = catalog_msgids(polib.pofile(str(PO)))
    absent = sorted(msgid for ctxt, msgid in catalog_msgids(fresh) - ours)
    assert not absent, f"strings without a translation (run make messages): {absent[:30]}"


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request(client):
    response = client.get("/accounts/login/")
    assert "登录" in response.content.decode()
    # A browser set to English still gets the county's language...
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in response.content.decode()
    # ...until the user picks English with the switch in the header.
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert "Log in" in response.content.decode()
