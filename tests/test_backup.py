"""`make backup` / `make restore`: a backup restored into an empty database holds the same rows
in every table and the same uploaded files (SQLite here, PostgreSQL in CI).

Transactional tests: pg_dump reads the database from another process, so the rows must be
committed, and the restored database is a second connection beside the test database.
"""

import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import load_backend

from assessments import services
from assessments.models import Evidence
from partybuild import backup
from partybuild.backup import holds_data, make_backup, restore_backup, row_counts

from .assessments.conftest import a1, campaign, small_set  # noqa: F401 (fixtures)
from .factories import SEEDED_CATEGORIES, category

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n% a scanned sign-in sheet\n%%EOF\n"


@pytest.fixture
def data(people, county, a1, settings, tmp_path):  # noqa: F811
    """Some of everything: the county, people, a launched campaign, an answer and a file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for code in SEEDED_CATEGORIES:
        category(code)
    services.assessment_open(assessment=a1, by=people.dave)
    response = a1.responses.first()
    evidence = Evidence(response=response, original_name="签到表.pdf", content_type="application/pdf",
                        size=len(PDF), sha256="0" * 64, uploaded_by=people.dave)
    evidence.file.save("sheet.pdf", ContentFile(PDF), save=False)
    evidence.save()
    return evidence


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database beside the test database (a connection of its own, not an
    alias of settings.DATABASES: nothing else may use it)."""
    default = connections["default"]
    settings_dict = dict(default.settings_dict)
    if default.vendor == "postgresql":
        settings_dict["NAME"] = f"{settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        with default.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    restored = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "restored")
    yield restored
    restored.close()
    if default.vendor == "postgresql":
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


def test_a_backup_restores_into_an_empty_database(data, empty_database, settings, tmp_path):
    archive = make_backup(dest=tmp_path / "backups")
    assert archive.name.startswith("partybuild-") and archive.name.endswith(".tar.gz")
    names = tarfile.open(archive).getnames()
    assert "manifest.json" in names and f"media/{data.file.name}" in names

    # The uploads go back into a new, empty MEDIA_ROOT too.
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    assert not holds_data(empty_database)
    manifest = restore_backup(path=archive, alias=empty_database)

    before, after = row_counts("default"), row_counts(empty_database)
    assert after == before == manifest["tables"]
    assert before["orgs_organization"] == 6 and before["assessments_evidence"] == 1
    assert before["assessments_historicalassessment"] > 0  # the audit trail comes back too
    assert (Path(settings.MEDIA_ROOT) / data.file.name).read_bytes() == PDF


def test_restore_refuses_a_database_with_data_unless_forced(data, tmp_path):
    archive = make_backup(dest=tmp_path / "backups")
    with pytest.raises(backup.BackupError, match="--force"):
        restore_backup(path=archive)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    # Forced, it replaces the database with the same rows (and says nothing is missing).
    before = row_counts("default")
    call_command("restore", str(archive), "--force", verbosity=0)
    assert row_counts("default") == before


def test_the_commands_write_under_var_backups(data, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path / "var"
    call_command("backup")
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == tmp_path / "var" / "backups" and written.is_file()


def test_restore_refuses_what_is_not_a_backup(db, tmp_path):
    stray = tmp_path / "stray.tar.gz"
    with tarfile.open(stray, "w:gz") as archive:
        archive.add(__file__, arcname="notes.txt")
    with pytest.raises(CommandError, match="not a partybuild backup"):
        call_command("restore", str(stray), "--force")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))
