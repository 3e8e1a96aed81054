"""Secrets never wait in the task table: emails with a code or an invitation are queued as ids
and rendered by the worker; sign-up does the same work for known and new emails; finished task
rows are pruned."""

import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import family_factories

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Ana",
    "last_name": "Rivera",
    "email": "ana@example.com",
    "mobile_phone": "(217) 555-0147",
    "password": "swimming-lessons-42",
    "address_line1": "12 Elm Street",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
}


@pytest.fixture
def database_tasks(settings):
    """The real queue: django_tasks_db's table, run by its worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_rows() -> str:
    """Everything the task table holds, as the database has it."""
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT task_path, args_kwargs FROM {table}")  # noqa: S608
        return json.dumps([list(map(str, row)) for row in cursor.fetchall()])


def prune_finished_tasks(now):
    from springboard.families.housekeeping import prune_finished_tasks as job

    return job(now)


def run_worker() -> None:
    """django_tasks_db's worker, in batch mode, inside the test's transaction (it would close
    the connection between tasks, which ends the test's transaction on PostgreSQL)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_sign_up_hashes_the_password_whether_or_not_the_email_has_a_login(
    client, org, django_capture_on_commit_callbacks
):
    original = MD5PasswordHasher.encode
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=original
    ) as encode:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/acme/register/", SIGNUP).status_code == 302
        new_email = encode.call_count
        encode.reset_mock()
        with django_capture_on_commit_callbacks(execute=True):
            assert Client().post("/acme/register/", SIGNUP).status_code == 302
        known_email = encode.call_count
    assert new_email == known_email == 1


def test_a_reset_code_is_not_in_the_task_row_and_the_worker_sends_it(
    database_tasks, client, org, django_capture_on_commit_callbacks
):
    family = family_factories.family(org)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/acme/password/forgot/", {"email": family.email})
    assert DBTaskResult.objects.count() == 1
    assert not mail.outbox  # not sent by the request
    run_worker()
    (message,) = mail.outbox
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    assert code in message.subject
    assert code not in queued_rows()
    response = client.post(
        "/acme/password/reset/", {"code": code, "password": "a-brand-new-secret-9"}
    )
    assert response.status_code == 302


def test_a_sign_up_code_sent_by_the_worker_confirms_the_email(
    database_tasks, client, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/acme/register/", SIGNUP)
    run_worker()
    (message,) = mail.outbox
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    assert code not in queued_rows()
    assert client.post("/acme/register/confirm/", {"code": code})["Location"] == (
        "/acme/register/student/"
    )


def test_a_guardian_invitation_link_is_not_in_the_task_row(
    database_tasks, org, django_capture_on_commit_callbacks
):
    family = family_factories.family(org)
    client = Client()
    client.force_login(family.guardians.get().user)
    data = {"first_name": "Luis", "last_name": "Rivera", "email": "luis@example.com"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/acme/account/guardians/add/", {**data, "invite": "on"})
    run_worker()
    (message,) = mail.outbox
    token = re.search(r"token=(\S+)", message.body).group(1)
    assert token not in queued_rows()
    assert b"Join The Rivera Family" in Client().get(f"/acme/account/join/?token={token}").content


def test_housekeeping_prunes_finished_task_rows_and_keeps_waiting_ones(
    database_tasks, org, django_capture_on_commit_callbacks
):
    family = family_factories.family(org)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/acme/password/forgot/", {"email": family.email})
    run_worker()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/acme/password/forgot/", {"email": family.email})  # not run yet
    assert DBTaskResult.objects.count() == 3
    now = timezone.now()
    assert "pruned 0 finished tasks" in prune_finished_tasks(now)
    assert "pruned 2 finished tasks" in prune_finished_tasks(now + timedelta(days=1, minutes=1))
    (waiting,) = DBTaskResult.objects.all()
    assert waiting.finished_at is None


def test_failed_task_rows_are_kept_a_week_for_a_look(database_tasks):
    now = timezone.now()
    DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="springboard.families.mail.send_email",
        backend_name="default",
        run_after=now,
        finished_at=now - timedelta(days=2),
    )
    assert "pruned 0 finished tasks" in prune_finished_tasks(now)
    assert "pruned 1 finished tasks" in prune_finished_tasks(now + timedelta(days=6))


def test_a_code_sent_twice_by_a_retried_task_is_the_same_code(
    database_tasks, org, django_capture_on_commit_callbacks
):
    from springboard.families.mail import send_code
    from springboard.families.models import EmailCode

    family = family_factories.family(org)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/acme/password/forgot/", {"email": family.email})
    record = EmailCode.objects.get()
    for _ in range(2):
        send_code.call(code_id=record.pk, organization_id=org.pk, language="en")
    first, second = (re.search(r"\b(\d{6})\b", m.body).group(1) for m in mail.outbox)
    assert first == second
