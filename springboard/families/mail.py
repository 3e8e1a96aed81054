"""Email to families: rendered now (text + HTML), sent after commit through the tasks API.

Requests never wait on SMTP: the task runs in the worker (`django_tasks_db`); the tests run
tasks immediately. A rolled-back transaction sends nothing.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string


@task
def send_email(*, to: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_after_commit(template: str, *, to: str, subject: str, context: dict) -> None:
    """Render templates/families/email/<template>.txt and .html and send them after commit."""
    context = {**context, "subject": subject}
    text = render_to_string(f"families/email/{template}.txt", context)
    html = render_to_string(f"families/email/{template}.html", context)
    transaction.on_commit(
        lambda: send_email.enqueue(to=to, subject=subject, text=text, html=html), robust=True
    )
