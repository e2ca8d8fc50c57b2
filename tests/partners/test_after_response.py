"""Webhooks never run inside a web request: the embedded mode delivers after the response, a broker gets a task."""
import threading
from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.urls import reverse

from partners import http
from partners.after_response import runner
from partners.models import WebhookDelivery
from partners.services import webhook_events_dispatch, webhook_subscription_create
from partners.tasks import webhook_delivery_embedded, webhook_delivery_task
from tests.factories import GRADERS, RatingEventFactory, api_key, rated_provider, staff_user


def subscribe(url):
    key = api_key(scopes=["webhooks"])[0]
    return webhook_subscription_create(api_key=key, url=url, events=["provider.tier_changed"])


@pytest.mark.django_db  # other receivers of the request signals touch the database
def test_jobs_submitted_while_a_request_is_served_wait_for_its_end():
    ran = []
    request_started.send(sender=None)
    try:
        runner.submit(ran.append, "delivery")
        assert runner.run_here() == 0
    finally:
        request_finished.send(sender=None)

    assert runner.run_here() == 1
    assert ran == ["delivery"]


def test_outside_a_request_the_thread_runs_a_job_at_once_and_a_delayed_one_later(after_response_thread):
    done = threading.Event()
    order = []
    runner.submit(order.append, "later", delay=0.2)
    runner.submit(order.append, "now")
    runner.submit(done.set, delay=0.2)

    assert done.wait(10)
    assert runner.wait_idle(timeout=10)
    assert order == ["now", "later"]


def test_a_failing_job_does_not_stop_the_thread(after_response_thread):
    ran = threading.Event()
    runner.submit(lambda: 1 / 0)
    runner.submit(ran.set)

    assert ran.wait(10)


# serialized_rollback: a plain flush recreates content types under new ids, which breaks later tests that restore
# the serialized database (test_faults, the worker tests).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_graders_recompute_answers_before_a_silent_subscriber_is_called(client, settings, silent_subscriber,
                                                                         after_response_thread):
    # Today's inline delivery would hold the request for this time-out; the embedded attempt caps it lower
    # (EMBEDDED_TIMEOUT_SECONDS), and the subscriber hangs up as soon as the test has looked.
    settings.PARTNERS_WEBHOOK_TIMEOUT_SECONDS = 5
    settings.PARTNERS_WEBHOOK_MAX_ATTEMPTS = 1
    subscribe(silent_subscriber.url)
    provider = rated_provider(stores=3, score="4.00")  # unrated → 3★: a tier change partners hear of
    client.force_login(staff_user(GRADERS))
    attempts, finished = [], threading.Event()
    real_post = http.webhook_post

    def spy(**kwargs):
        attempts.append(threading.current_thread())
        try:
            return real_post(**kwargs)
        finally:
            finished.set()

    with mock.patch.object(http, "webhook_post", spy):
        response = client.post(reverse("admin:providers_provider_grading", args=[provider.pk, "recompute"]),
                               {"reason": ""})

        # The view has answered, and the attempt has not ended: it started after the response, in the runner's
        # thread, and waits on a subscriber that says nothing (an attempt made inside the request would have
        # ended, by time-out, before the view could answer).
        assert response.status_code == 302
        assert not finished.is_set()
        assert silent_subscriber.accepted.wait(10)
        silent_subscriber.hang_up()
        assert runner.wait_idle(timeout=10)

    assert attempts and all(thread is not threading.current_thread() for thread in attempts)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, None)


@pytest.mark.django_db
def test_the_embedded_mode_retries_on_the_backoff_schedule_not_at_once(receiver, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.PARTNERS_WEBHOOK_BACKOFF_SECONDS = 60
    subscribe(receiver.url)
    receiver.replies = [500]
    with django_capture_on_commit_callbacks(execute=True):
        webhook_events_dispatch(event_ids=[RatingEventFactory().pk])

    assert runner.run_here(include_delayed=False) == 1

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    [(due_in, job, args)] = runner.queued()
    assert (job, args) == (webhook_delivery_embedded, (str(delivery.pk),))
    assert due_in == pytest.approx(60, abs=5)
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_an_eager_task_queues_its_retry_instead_of_retrying_inline(receiver):
    subscription = subscribe(receiver.url)
    delivery = WebhookDelivery.objects.create(subscription=subscription, event="provider.tier_changed",
                                              event_key="k", event_id="6f1c1e58-8f0e-4c59-9c37-b0a9f0d7a011",
                                              payload={"type": "provider.tier_changed"})
    receiver.replies = [500, 500]

    assert webhook_delivery_task.delay(str(delivery.pk)).get() == "retrying"

    assert len(receiver.requests) == 1
    assert [job for _due_in, job, _args in runner.queued()] == [webhook_delivery_embedded]


@pytest.mark.django_db
def test_with_a_broker_a_delivery_is_always_a_task(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url)

    with mock.patch("partners.tasks.webhook_delivery_task") as task, django_capture_on_commit_callbacks(execute=True):
        task.app.conf.task_always_eager = False  # as with REDIS_URL set
        webhook_events_dispatch(event_ids=[RatingEventFactory().pk])

    task.delay.assert_called_once_with(str(WebhookDelivery.objects.get().pk))
    assert runner.queued() == []
    assert receiver.requests == []
