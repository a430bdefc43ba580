"""Settings for `make bench`: the local settings, pointed at the bench database, with
DEBUG off (so pages cost what they cost in production) and the test client's host."""

import os

from partybuild.settings.local import *  # noqa: F401,F403
from partybuild.settings.local import ALLOWED_HOSTS, PG_OPTIONS

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pb_bench"
)
DATABASES = {
    "default": {
        **__import__("dj_database_url").parse(BENCH_DATABASE_URL, conn_max_age=60),
        # The app's own server options (jit=off, settings/base.py) unless an experiment
        # gives others, e.g. BENCH_PG_OPTIONS="-c jit=on".
        "OPTIONS": {"options": os.environ.get("BENCH_PG_OPTIONS") or PG_OPTIONS},
    }
}
DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Users are made by the thousand; a slow hash would time the generator, not the site.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Exports stay downloads whatever their size: the bench times the writer, not a queue.
EXPORT_SYNC_MAX_ROWS = 10_000_000
# Axes would lock the bench's user out after repeated logins in the load test.
AXES_ENABLED = False
# Launching 20,000 assessments goes to Celery above 300: run it in this process.
CELERY_TASK_ALWAYS_EAGER = True
# Reminders e-mail people; the bench keeps the messages in memory.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
