# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=partybuild.settings.production \
    PARTYBUILD_VAR_DIR=/var/lib/partybuild

WORKDIR /app
# pg_dump/pg_restore for `manage.py backup`/`restore`: bookworm's 15, the compose file's server.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs settings but no secrets or services.
RUN SECRET_KEY=build-only-key-build-only-key-build-only-key-0000 REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput \
    && useradd --system --home /app partybuild \
    && mkdir -p /var/lib/partybuild/media && chown -R partybuild /var/lib/partybuild
USER partybuild
EXPOSE 8000
CMD ["gunicorn", "partybuild.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
