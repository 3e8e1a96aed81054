import pytest
from django.db.models import Count
from django.utils import timezone

from springboard.catalog.models import Course, Event, PartySlot
from springboard.demo import data
from springboard.demo.waitingroom import TERM_PREFIX

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_loads_once_and_its_pages_render(client):
    """The demo catalogue is what the issue describes, and loading it twice changes nothing."""
    data.load(now=timezone.now())
    counts = (Course.objects.count(), Event.objects.count(), PartySlot.objects.count())
    data.load(now=timezone.now())
    assert (Course.objects.count(), Event.objects.count(), PartySlot.objects.count()) == counts
    for url in [
        "/demo/booking/",
        "/demo/booking/classes/",
        "/demo/booking/events/",
        "/demo/booking/parties/",
        "/demo/booking/find-the-right-class/",
        "/demo/booking/find-the-right-class/?birth_date=2020-05-01&student_gender=female",
        "/riverside/booking/classes/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    # The two main terms (registration night's Swim Team term has its own test).
    demo = Course.objects.filter(organization__account_name="demo").exclude(
        term__name__startswith=TERM_PREFIX
    )
    per_term = demo.order_by().values("term").annotate(n=Count("pk")).values_list("n", flat=True)
    assert sorted(per_term) == [60, 60]  # the current term and the next
    assert demo.values("location").distinct().count() == 2
    assert demo.values("program").distinct().count() == 3
    assert demo.filter(capacity=0, waitlist_allowed=True).exists()  # full, until enrollments
    assert Event.objects.filter(organization__account_name="demo").count() == 3
    assert 0 < Course.objects.filter(organization__account_name="riverside").count() < 20
