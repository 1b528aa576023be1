"""The job queue paths: immediate in tests, Redis in production, the database
queue on the embedded default."""

import socket

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings

from qihub.catalog.tasks import refresh_standard_statuses
from qihub.core.management.commands.schedule import scheduled_tasks


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_every_domain_registers_its_periodic_jobs():
    paths = {t.module_path for t in scheduled_tasks()}
    assert "qihub.catalog.tasks.refresh_standard_statuses" in paths


@pytest.mark.django_db
def test_schedule_command_runs_jobs_immediately_in_tests(capsys):
    call_command("schedule")
    assert "refresh_standard_statuses" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_database_queue_enqueues_and_worker_runs():
    tasks = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    with override_settings(TASKS=tasks):
        result = refresh_standard_statuses.using(backend="default").enqueue()
        assert result.status == TaskResultStatus.READY
        call_command("db_worker", "--batch", verbosity=0)
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_redis_queue_enqueues():
    tasks = {
        "default": {
            "BACKEND": "django_tasks_redis.backends.RedisTaskBackend",
            "OPTIONS": {"REDIS_URL": "redis://127.0.0.1:6379/15"},
        }
    }
    with override_settings(TASKS=tasks):
        result = refresh_standard_statuses.using(backend="default").enqueue()
        assert result.status == TaskResultStatus.READY
        fetched = refresh_standard_statuses.get_backend().get_result(result.id)
        assert fetched.id == result.id
