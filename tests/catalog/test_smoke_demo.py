import pytest

from springboard.catalog.models import Course, Event, PartySlot
from springboard.demo import data

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_loads_once_and_pages_render(client):
    data.load()
    counts = (Course.objects.count(), Event.objects.count(), PartySlot.objects.count())
    data.load()
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
    print(counts)
