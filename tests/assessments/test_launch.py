"""Launching a campaign from its page: inline for small scopes, in a Celery worker for
large ones, with a progress bar that htmx polls until the launch is over.

The real-worker test needs PostgreSQL (the worker is another process and must see
the test's committed rows in the same database) and Redis (the broker): it skips on
a bare machine and fails in CI when either is missing (tests/conftest.py need()).
"""

import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from assessments import services
from assessments.models import Campaign, CampaignStatus

from ..conftest import need
from ..factories import add_many_branches
from ..workers import new_queue, sending_to, start_worker
from .campaign_builders import other_county, town_campaign

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def launch_url(campaign):
    return reverse("assessments:campaign_launch", args=[campaign.pk])


def progress_url(campaign):
    return reverse("assessments:launch_progress", args=[campaign.pk])


@pytest.fixture
def draft(small_set, county, people):
    return services.campaign_create(name="草稿活动", year=2026, standard_set=small_set,
                                    organization=county.county, by=people.alice)


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


# ---------------------------------------------------------------- who may launch


def test_launch_is_post_only_and_for_managers(client, client_for, people, draft, small_set,
                                              county):
    response = client.post(launch_url(draft))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(people.alice).get(launch_url(draft)).status_code == 405
    for user in (people.victor, people.bob, people.dave):
        assert client_for(user).post(launch_url(draft)).status_code == 403
    other = other_county()
    assert client_for(people.alice).post(launch_url(other.campaign)).status_code == 404
    assert client_for(other.zoe).post(launch_url(draft)).status_code == 404
    town = town_campaign(small_set, county, people.alice)
    assert client_for(people.charlie).post(launch_url(town)).status_code == 404
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT and not draft.assessments.exists()


def test_progress_scoping(client, client_for, people, draft):
    response = client.get(progress_url(draft))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(people.victor).get(progress_url(draft)).status_code == 200
    assert client_for(people.dave).get(progress_url(draft)).status_code == 403
    other = other_county()
    assert client_for(people.alice).get(progress_url(other.campaign)).status_code == 404


# ---------------------------------------------------------------- inline


def test_inline_launch_and_launching_twice_adds_nothing(client_for, people, draft):
    client = client_for(people.alice)
    response = client.post(launch_url(draft))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:campaign_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.ACTIVE and draft.launched_at is not None
    assert draft.assessments.count() == 3
    assert draft.launch_done == draft.launch_total == 3
    assert "3" in messages_of(response)[0]

    response = client.post(launch_url(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.ACTIVE and draft.assessments.count() == 3
    assert "0" in messages_of(response)[-1]


def test_launching_again_adds_new_organizations_only(client_for, people, campaign, county):
    add_many_branches(county.town_b, 2, prefix="NEW")
    client_for(people.alice).post(launch_url(campaign))
    assert campaign.assessments.count() == 5
    assert set(campaign.assessments.values_list("organization__code", flat=True)) >= {
        "NEW00000", "NEW00001"}


def test_a_closed_campaign_is_not_launched(client_for, people, campaign, county):
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    add_many_branches(county.town_b, 2, prefix="NEW")
    response = client_for(people.alice).post(launch_url(campaign))
    assert response.status_code == 302
    assert messages_of(response)  # the service's reason
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and campaign.assessments.count() == 3


# ---------------------------------------------------------------- queued (eager, no worker)


def test_large_launch_is_queued_and_runs_on_commit(client_for, people, draft, county,
                                                   django_capture_on_commit_callbacks):
    add_many_branches(county.town_a, services.LAUNCH_INLINE_MAX + 5)
    client = client_for(people.alice)
    # Without the commit the task is not sent (it must not run before the data exists):
    # the campaign is launching and the page polls.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(launch_url(draft))
    assert response.status_code == 302 and len(callbacks) == 1
    draft.refresh_from_db()
    total = services.LAUNCH_INLINE_MAX + 5 + 3
    assert draft.status == CampaignStatus.LAUNCHING and draft.launch_total == total
    page = client.get(reverse("assessments:campaign_detail", args=[draft.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and f"0 / {total} 个党组织" in page
    fragment = client.get(progress_url(draft), {"polling": "1"})
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    # A second press while it runs queues nothing more.
    with django_capture_on_commit_callbacks(execute=False) as again:
        client.post(launch_url(draft))
    assert again == []

    callbacks[0]()  # the commit: CELERY_TASK_ALWAYS_EAGER runs the task here
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.ACTIVE
    assert draft.assessments.count() == total and draft.launch_done == draft.launch_total
    fragment = client.get(progress_url(draft), {"polling": "1"})
    assert fragment["HX-Refresh"] == "true"  # the page reloads to show the new counts
    assert "hx-trigger" not in fragment.content.decode()


def test_the_progress_bar_shows_a_launch_error(client_for, people, draft):
    Campaign.objects.filter(pk=draft.pk).update(launch_error="数据库连接中断")
    response = client_for(people.alice).get(progress_url(draft))
    assert 'data-testid="launch-error"' in response.content.decode()
    assert "数据库连接中断" in response.content.decode()


def test_a_broker_failure_does_not_leave_the_campaign_launching(
    client_for, people, draft, county, monkeypatch, django_capture_on_commit_callbacks
):
    from assessments import tasks

    def no_broker(*args, **kwargs):
        raise ConnectionError("Redis 连接失败")

    monkeypatch.setattr(tasks.launch_campaign, "delay", no_broker)
    add_many_branches(county.town_a, services.LAUNCH_INLINE_MAX + 1)
    client = client_for(people.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(launch_url(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT and "Redis" in draft.launch_error
    assert "Redis" in client.get(progress_url(draft)).content.decode()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(launch_url(draft))  # the launch can be tried again
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.ACTIVE and draft.launch_error == ""


def test_a_failed_relaunch_keeps_the_campaign_open(client_for, people, campaign, county,
                                                   monkeypatch):
    from assessments.models import Assessment

    def boom(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    add_many_branches(county.town_b, 2, prefix="NEW")
    monkeypatch.setattr(Assessment.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        services.campaign_launch(campaign=campaign, by=people.alice)
    campaign.refresh_from_db()
    # Its assessments exist and secretaries are filling them: it must stay active.
    assert campaign.status == CampaignStatus.ACTIVE and campaign.launch_error == "磁盘已满"
    assert campaign.assessments.count() == 3


# ---------------------------------------------------------------- a real worker


@pytest.fixture
def worker(transactional_db, require_redis, tmp_path):
    """A Celery worker process on a queue of its own (other workers on the same Redis
    must not take this test's task), against the test database."""
    need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    queue = new_queue("test-launch")
    with sending_to(queue):
        w = start_worker(require_redis, tmp_path / "worker.log", queue)
        try:
            yield w
        finally:
            w.stop()


@pytest.mark.redis
@pytest.mark.postgres
def test_large_launch_in_a_real_worker(worker, client_for, people, small_set, county,
                                       monkeypatch):
    def not_here(**kwargs):
        raise AssertionError("the launch ran in the test process, not in the worker")

    # The worker is another process: this patch only catches an eager run here.
    monkeypatch.setattr(services, "launch_run", not_here)
    campaign = services.campaign_create(name="全县活动", year=2026, standard_set=small_set,
                                        organization=county.county, by=people.alice)
    extra = services.LAUNCH_INLINE_MAX + 40
    add_many_branches(county.town_b, extra, category_code="community")
    client = client_for(people.alice)
    response = client.post(launch_url(campaign))  # autocommit: on_commit sends at once
    assert response.status_code == 302
    assert "background" in messages_of(response)[0] or "后台" in messages_of(response)[0]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status != CampaignStatus.LAUNCHING:
            break
        assert worker.process.poll() is None, worker.log()
        time.sleep(0.2)
    assert campaign.status == CampaignStatus.ACTIVE, (campaign.status, campaign.launch_error,
                                                      worker.log())
    assert campaign.assessments.count() == extra + 3
    assert campaign.launch_done == campaign.launch_total == extra + 3
    assert campaign.launch_error == ""
