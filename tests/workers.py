"""A real Celery worker process for tests: on a queue of its own, against the test database.

The worker is another process, so it needs PostgreSQL (it must see the test's
committed rows in the same database) and Redis (the broker). Tests using it need
`transactional_db` and `require_redis`, and skip or fail through `need()`.
"""

import os
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from partybuild.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


def worker_database_url():
    s = connection.settings_dict
    # pytest-django's database is test_<name>; the worker must use that one, not <name>.
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{quote(s['NAME'], safe='')}"


class Worker:
    def __init__(self, process, log_path, queue):
        self.process, self.log_path, self.queue = process, log_path, queue

    def log(self):
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self, kill=False):
        if self.process.poll() is not None:
            return
        if kill:
            self.process.kill()  # SIGKILL: no warm shutdown, nothing acknowledged
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_worker(redis_url, log_path, queue, **extra_env) -> Worker:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partybuild.settings.test",
        "REDIS_URL": redis_url,
        "DATABASE_URL": worker_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra_env,
    }
    log = Path(log_path).open("a")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "partybuild", "worker", "--pool=solo",
         "-l", "info", "-Q", queue, "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    return Worker(process, Path(log_path), queue)


@contextmanager
def sending_to(queue):
    """This process sends tasks for real (test settings run them eagerly) to `queue`."""
    saved = {key: celery_app.conf.get(key) for key in ("task_always_eager", "task_default_queue")}
    celery_app.conf.update(task_always_eager=False, task_default_queue=queue)
    try:
        yield
    finally:
        celery_app.conf.update(saved)


def new_queue(prefix="test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
