"""“Retrain now” queues a training that runs outside the request; the page shows “training…” and then the
result. Without Redis a background thread runs it; a lost one is picked up by the periodic job."""

from datetime import timedelta

import pytest

from kefu.core import clock
from kefu.routing import services, tasks
from kefu.routing.models import ClassifierModel, ClassifierTraining
from kefu.tests.factories import CategoryFactory, TeamFactory, TicketFactory

from .samples import examples

pytestmark = pytest.mark.django_db
Status = ClassifierTraining.Status


@pytest.fixture
def history(customer, default_team):
    teams = {label: TeamFactory(name=f"{label}组", name_en=label) for label in ("order", "complaint", "tech")}
    categories = {label: CategoryFactory(code=label, name=label) for label in teams}
    for text, label in examples():
        TicketFactory(customer=customer, subject=text[:20], first_message=text, status="solved",
                      category=categories[label], team=teams[label])


@pytest.fixture
def threads(monkeypatch):
    """Background threads the request starts, captured instead of run (the test runs them when it wants)."""
    started: list = []

    class FakeThread:
        def __init__(self, target, args=(), **kwargs):
            self.target, self.args = target, args

        def start(self):
            started.append(self)

    monkeypatch.setattr(tasks.threading, "Thread", FakeThread)
    return started


def test_retrain_now_answers_before_training_and_the_page_says_training(
    client, supervisor, history, threads, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/routing/retrain/")

    assert response.status_code == 302
    assert not ClassifierModel.objects.exists()  # nothing trained inside the request
    job = ClassifierTraining.objects.get()
    assert (job.status, job.requested_by) == (Status.QUEUED, supervisor)
    assert len(threads) == 1
    page = client.get("/manage/routing/").content.decode()
    assert 'data-status="queued"' in page and "训练中…" in page
    assert 'hx-trigger="every 3s"' in page and "disabled" in page


def test_the_background_thread_trains_and_the_page_then_shows_the_result(
    client, supervisor, history, threads, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_retrain(actor=supervisor)
    assert [(t.target, t.args) for t in threads] == [(tasks._train_in_thread, (job.pk,))]
    services.run_training(training_id=job.pk)  # what the thread does, on this test's connection

    job.refresh_from_db()
    assert (job.status, job.version) == (Status.DONE, 1)
    assert job.started_at and job.finished_at
    poll = client.get("/manage/routing/training/", headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"  # done: reload to show the new scores
    page = client.get("/manage/routing/").content.decode()
    assert 'data-status="done"' in page and "上次训练于" in page and 'hx-trigger="every 3s"' not in page


def test_a_second_click_joins_the_waiting_training(supervisor, threads):
    first = services.request_retrain(actor=supervisor)
    second = services.request_retrain(actor=supervisor)

    assert first.pk == second.pk
    assert ClassifierTraining.objects.count() == 1


def test_a_training_runs_once_even_if_two_workers_get_it(supervisor, history, threads):
    job = services.request_retrain(actor=supervisor)

    assert services.run_training(training_id=job.pk).status == Status.DONE
    assert services.run_training(training_id=job.pk) is None
    assert ClassifierModel.objects.count() == 1


def test_too_few_tickets_is_shown_as_the_last_result(client, supervisor, threads):
    job = services.request_retrain(actor=supervisor)
    services.run_training(training_id=job.pk)
    client.force_login(supervisor)

    page = client.get("/manage/routing/").content.decode()

    assert ClassifierTraining.objects.get().status == Status.TOO_FEW
    assert 'data-status="too_few"' in page and "已解决工单太少" in page


def test_a_failing_training_is_recorded_with_its_error(supervisor, threads, monkeypatch):
    def broken():
        raise MemoryError("out of memory")

    monkeypatch.setattr(services, "retrain_classifier", broken)
    job = services.request_retrain(actor=supervisor)

    done = services.run_training(training_id=job.pk)

    assert done.status == Status.FAILED and "out of memory" in done.error
    assert services.active_training() is None  # the next click starts a new one


def test_a_training_whose_thread_was_lost_runs_from_the_periodic_job(supervisor, history, threads, monkeypatch):
    job = services.request_retrain(actor=supervisor)
    later = clock.now() + timedelta(minutes=2)
    monkeypatch.setattr("kefu.core.clock.now", lambda: later)

    assert tasks.train_queued() == 1
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_with_redis_the_training_is_queued_for_a_worker(settings, supervisor, threads, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(tasks, "enqueue_on_commit", lambda task, *args: queued.append((task, args)))

    job = services.request_retrain(actor=supervisor)
    tasks.start_training(job.pk)

    assert queued == [(tasks.train, (job.pk,))] and threads == []


def test_agents_cannot_retrain_or_poll(client, agent):
    client.force_login(agent)

    assert client.post("/manage/routing/retrain/").status_code == 403
    assert client.get("/manage/routing/training/").status_code == 403
    assert not ClassifierTraining.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_real_background_thread_trains_after_the_response(client, supervisor, history):
    import threading

    client.force_login(supervisor)

    response = client.post("/manage/routing/retrain/")
    for thread in threading.enumerate():
        if thread.name == "kefu-train":
            thread.join(timeout=120)

    assert response.status_code == 302
    job = ClassifierTraining.objects.get()
    assert (job.status, job.version) == (Status.DONE, 1)
