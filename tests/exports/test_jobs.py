"""The exports app: a download now or a background job, the job's pages for its owner only,
failures that end the job with a reason, and the retention of old files."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from exports import services
from exports.models import ExportJob, ExportStatus
from exports.registry import builder, exporter
from orgs.models import Assignment
from orgs.scoping import forget_grants

from . import builders
from .helpers import content_of, read_book

pytestmark = pytest.mark.django_db


def ask(rf, user, **params):
    request = rf.get("/export.xlsx", params)
    request.user = user
    return services.respond(request, builders.numbers)


def url(name, job):
    return reverse(f"exports:{name}", args=[job.pk])


@pytest.fixture
def done_job(rf, people, settings, django_capture_on_commit_callbacks):
    """alice's finished job of 12 rows (the threshold lowered to 10)."""
    settings.EXPORT_SYNC_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        ask(rf, people.alice, n=12)
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE, job.error
    return job


@pytest.fixture
def queued_job(rf, people, settings, django_capture_on_commit_callbacks):
    """alice's job, queued but not yet run (its on-commit callback held back)."""
    settings.EXPORT_SYNC_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(rf, people.alice, n=12)
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    job.callbacks = callbacks
    return job


# ---------------------------------------------------------------- now or in the background


def test_up_to_the_threshold_the_file_comes_at_once(rf, people, county, settings,
                                                     django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_MAX_ROWS = 5
    with django_capture_on_commit_callbacks() as callbacks:
        response = ask(rf, people.alice, n=5)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(read_book(content_of(response)).rows) == 5
    assert not ExportJob.objects.exists() and not callbacks


def test_over_the_threshold_a_job_is_queued_on_commit(queued_job, people):
    job = queued_job
    assert job.user == people.alice
    assert job.key == "tests.exports.builders.numbers"
    assert job.params()["n"] == "12"
    assert (job.title, job.filename, job.rows_total) == ("测试导出", "测试导出.xlsx", 12)
    assert job.status == ExportStatus.QUEUED and not job.file
    job.callbacks[0]()  # the commit: eager Celery writes it here
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert (job.rows_done, job.rows_total, job.percent) == (12, 12, 100)
    assert job.started_at and job.finished_at
    with job.file.open("rb") as f:
        book = read_book(f.read())
    assert [r[0] for r in book.rows] == list(range(1, 13))


def test_the_request_redirects_to_the_job_page(rf, people, queued_job, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 10
    with translation.override("en"):
        response = ask(rf, people.alice, n=11)
    job = ExportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == url("job_detail", job)
    assert job.language == "en"  # the worker writes a failure's reason in the asker's language


def test_path_parameters_join_the_replayed_query(rf, people, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    request = rf.get("/export.xlsx", {"n": "3", "campaign": "99"})
    request.user = people.alice
    services.respond(request, builders.numbers, campaign=7)
    assert ExportJob.objects.get().params()["campaign"] == "7"  # the URL's, not the query's


def test_parameters_that_make_no_export_are_a_400(rf, people, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    response = ask(rf, people.alice, n="many")
    assert response.status_code == 400
    assert response.content.decode() == "n must be a number"
    assert not ExportJob.objects.exists()


def test_only_functions_marked_as_exports_run(people):
    assert builder("tests.exports.builders.numbers") is builders.numbers
    for key in ("tests.exports.builders.not_marked", "os.system", "no.such.module"):
        with pytest.raises(LookupError):
            builder(key)
    job = ExportJob.objects.create(user=people.alice, key="tests.exports.builders.not_marked",
                                   title="x", filename="x.xlsx", rows_total=1)
    services.run(job)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error


def test_a_key_too_long_for_the_job_row_is_refused_when_marked():
    def build(user, params):
        raise AssertionError

    build.__qualname__ = "a_builder_with_a_name_much_too_long_to_be_stored_in_a_job_row"
    with pytest.raises(ValueError):
        exporter(build)


# ---------------------------------------------------------------- failures


def test_a_user_who_lost_their_role_gets_a_failed_job_not_a_file(queued_job, people):
    Assignment.objects.filter(user=people.alice).delete()
    forget_grants(people.alice)
    queued_job.callbacks[0]()
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED
    assert "role" in job.error or "角色" in job.error
    assert not job.file and job.finished_at


def test_a_deactivated_user_gets_a_failed_job(queued_job, people):
    type(people.alice).objects.filter(pk=people.alice.pk).update(is_active=False)
    queued_job.callbacks[0]()
    assert ExportJob.objects.get().status == ExportStatus.FAILED


def test_an_error_while_writing_ends_the_job_failed(rf, people, settings,
                                                    django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        ask(rf, people.alice, n=50, fail_at=30)
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED and job.error
    assert "row 30" not in job.error  # the reason for the user, not the traceback
    assert not job.file


def test_the_failed_job_page_says_why(client_for, people, queued_job):
    Assignment.objects.filter(user=people.alice).delete()
    queued_job.callbacks[0]()
    client = client_for(people.alice)
    page = client.get(url("job_progress", queued_job)).content.decode()
    assert 'data-status="failed"' in page and "alert-danger" in page
    assert "hx-get" not in page  # the page stops polling
    assert client.get(url("job_download", queued_job)).status_code == 404


# ---------------------------------------------------------------- the pages, owner only


def test_the_owner_sees_the_job_and_downloads_the_file(client_for, people, done_job):
    client = client_for(people.alice)
    detail = client.get(url("job_detail", done_job))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="100"' in html
    assert url("job_download", done_job) in html
    progress = client.get(url("job_progress", done_job))
    assert progress.status_code == 200 and "hx-get" not in progress.content.decode()
    download = client.get(url("job_download", done_job))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert len(read_book(content_of(download)).rows) == 12
    listing = client.get(reverse("exports:job_list"))
    assert listing.status_code == 200 and url("job_detail", done_job) in listing.content.decode()


@pytest.mark.parametrize("name", ["job_detail", "job_progress", "job_download"])
def test_another_user_gets_404(client_for, people, done_job, name):
    for user in (people.bob, people.root, people.nobody):
        assert client_for(user).get(url(name, done_job)).status_code == 404


def test_the_list_shows_only_ones_own_jobs(client_for, people, done_job):
    page = client_for(people.bob).get(reverse("exports:job_list"))
    assert page.status_code == 200
    assert list(page.context["jobs"]) == []
    assert url("job_detail", done_job) not in page.content.decode()


@pytest.mark.parametrize("name", ["job_list", "job_detail", "job_progress", "job_download"])
def test_anonymous_users_are_sent_to_log_in(client, done_job, name):
    target = reverse("exports:job_list") if name == "job_list" else url(name, done_job)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unfinished_job_polls_and_cannot_be_downloaded(client_for, people, queued_job):
    client = client_for(people.alice)
    progress = client.get(url("job_progress", queued_job)).content.decode()
    assert f'hx-get="{url("job_progress", queued_job)}"' in progress
    assert 'aria-valuenow="0"' in progress
    assert client.get(url("job_download", queued_job)).status_code == 404
    ExportJob.objects.filter(pk=queued_job.pk).update(status=ExportStatus.RUNNING, rows_done=6)
    progress = client.get(url("job_progress", queued_job)).content.decode()
    assert 'aria-valuenow="50"' in progress and "hx-get" in progress
    assert client.get(url("job_download", queued_job)).status_code == 404


def test_a_missing_file_is_a_404(client_for, people, done_job):
    done_job.file.delete(save=False)
    assert client_for(people.alice).get(url("job_download", done_job)).status_code == 404


@pytest.mark.parametrize("n", [2, 30])
def test_the_list_costs_the_same_queries_at_any_size(client_for, people, n,
                                                     django_assert_max_num_queries):
    ExportJob.objects.bulk_create(
        ExportJob(user=people.alice, key="k", title=f"导出{i}", filename="x.xlsx")
        for i in range(n)
    )
    client = client_for(people.alice)
    client.get(reverse("exports:job_list"))  # the session and the user, loaded once
    # session, user, grants (the navigation), the count, the page of jobs
    with django_assert_max_num_queries(6):
        assert client.get(reverse("exports:job_list")).status_code == 200


def test_my_exports_is_linked_from_every_page(client_for, people):
    page = client_for(people.dave).get(reverse("exports:job_list")).content.decode()
    assert f'href="{reverse("exports:job_list")}" data-testid="my-exports"' in page


# ---------------------------------------------------------------- retention


def test_old_jobs_and_their_files_are_purged(people, done_job, settings):
    settings.EXPORT_KEEP_DAYS = 3
    name = done_job.file.name
    storage = done_job.file.storage
    assert storage.exists(name)
    fresh = ExportJob.objects.create(user=people.bob, key="k", title="新", filename="x.xlsx")
    ExportJob.objects.filter(pk=done_job.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert services.purge() == 1
    assert list(ExportJob.objects.all()) == [fresh]
    assert not storage.exists(name)
