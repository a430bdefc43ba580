"""`make backup`: the database and the uploaded files in one archive under var/backups/."""

from django.core.management.base import BaseCommand, CommandError

from partybuild.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) and MEDIA_ROOT into var/backups/."

    def add_arguments(self, parser):
        parser.add_argument("--dest", help="folder for the archive (default var/backups/)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, dest=None, database="default", **options):
        try:
            path = make_backup(alias=database, dest=dest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
