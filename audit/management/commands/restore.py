"""`make restore FILE=…`: put a backup's database and uploaded files back."""

from django.core.management.base import BaseCommand, CommandError

from partybuild.backup import BackupError, restore_backup, row_counts


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into this (empty) database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .tar.gz written by `manage.py backup`")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already holds users or organizations")
        parser.add_argument("--database", default="default")

    def handle(self, *args, file, force=False, database="default", **options):
        try:
            manifest = restore_backup(path=file, alias=database, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        now = row_counts(database)
        differ = sorted(t for t, n in manifest["tables"].items() if now.get(t) != n)
        if differ:
            raise CommandError(f"restored, but these tables do not have the saved rows: {differ}")
        self.stdout.write(
            f"restored {file}: {len(manifest['tables'])} tables, "
            f"{manifest['media_files']} uploaded files"
        )
