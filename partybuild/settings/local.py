"""Local development: `make run`. Debug on, a fixed key that never leaves the laptop."""

from .base import *  # noqa: F401,F403
from .base import VAR_DIR
from .env import envbool, envstr

DEBUG = envbool("DEBUG", True)
SECRET_KEY = envstr("SECRET_KEY", "local-development-key-not-for-production")
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

VAR_DIR.mkdir(parents=True, exist_ok=True)
for folder in ("out", "processed"):
    (VAR_DIR / "celery-broker" / folder).mkdir(parents=True, exist_ok=True)
from .base import STATIC_ROOT  # noqa: E402

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
