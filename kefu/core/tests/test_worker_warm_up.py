"""A starting Celery worker loads jieba's dictionary before it takes jobs, not in its first ticket's job."""

from celery.signals import worker_init

from kefu.knowledge import matching


def test_a_starting_worker_loads_the_tokenizer(monkeypatch):
    monkeypatch.setattr(matching, "_jieba", None)  # as in a fresh process

    worker_init.send(sender=None)

    assert matching._jieba is not None
