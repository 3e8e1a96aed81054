"""The demo shows autopay at work on any day it is loaded: a family with autopay on (a charge
it paid, one it will pay) and one whose card was declined yesterday, retried tomorrow."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from springboard.billing import autopay
from springboard.billing.autopay_models import AttemptStatus, AutopayAttempt
from springboard.families.models import Family
from springboard.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_family_on_autopay_and_one_with_a_declined_retry():
    call_command("load_demo", i_know_this_is_not_production=True)
    demo = Organization.objects.get(account_name="demo")
    today = autopay.local_today(demo, timezone.now())
    rivera = Family.objects.get(organization=demo, email="family@demo.example")
    status = autopay.status_for(rivera, today=today)
    assert status.is_on and status.method.last4 == "4242"
    assert [a.status for a in status.paid] == [AttemptStatus.APPROVED]
    assert status.upcoming  # next month's demo tuition, paid by autopay when due

    chen = Family.objects.get(organization=demo, email="twogyms@demo.example")
    status = autopay.status_for(chen, today=today)
    [declined] = status.declines
    assert declined.status == AttemptStatus.DECLINED
    assert list(status.next_retry.values()) == [today + timedelta(days=1)]
    # Housekeeping today makes no attempt: the retry is tomorrow.
    assert autopay.collect(demo, now=timezone.now()) == []
    assert AutopayAttempt.objects.filter(family=chen).count() == 1
