"""The demo's registration night: ten minutes after the load, behind the waiting room."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from springboard.catalog.models import Course, Term
from springboard.demo.waitingroom import TERM_PREFIX
from springboard.waitingroom.models import WaitingRoom

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_term_opening_ten_minutes_after_the_load(clock):
    out = StringIO()
    call_command("load_demo", i_know_this_is_not_production=True, stdout=out)
    now = timezone.now()
    term = Term.objects.get(name__startswith=TERM_PREFIX)
    assert term.enrollment_opens_at == (now + timedelta(minutes=10)).replace(second=0)
    assert Course.objects.filter(term=term, capacity__gt=0).count() == 4
    room = WaitingRoom.objects.get(organization__account_name="demo")
    assert room.is_on
    assert "registration night" in out.getvalue() and "waiting room" in out.getvalue()
