"""Tests: PostgreSQL when DATABASE_URL is set (always in CI), SQLite otherwise."""

import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR
from .env import envbool

# Sync Playwright runs an event loop in the test thread; the ORM would refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEBUG = False
SECRET_KEY = "test-key-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# Tasks run inline in tests, unless the environment says otherwise: the launch test
# starts a real worker with CELERY_TASK_ALWAYS_EAGER=false (tests/assessments/test_launch.py).
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", True)
# Tests set the client's address explicitly where lockout matters.
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from .base import STATIC_ROOT  # noqa: E402

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
