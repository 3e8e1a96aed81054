"""The classes page, Find the Right Class, course detail: what families see and bad input."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.db.models import IntegerField, Value

from springboard.catalog import availability
from tests import factories
from tests.catalog import factories as catalog

pytestmark = pytest.mark.django_db

CLASSES = "/acme/booking/classes/"
WIZARD = "/acme/booking/find-the-right-class/"


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(datetime(2026, 12, 1, 18, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def term(org):
    return catalog.term(org, name="Winter 2027")


def names(response) -> list[str]:
    return [course.name for course, _verdict in response.context["results"]]


def test_the_classes_page_lists_the_terms_courses_at_the_current_location(client, org, term):
    coach = factories.staff_profile(org, name="Maria Alvarez")
    shown = catalog.course(org, name="Tumble Tots", tuesday=True, thursday=True, monday=False)
    shown.instructors.add(coach)
    catalog.course(org, name="Hidden", shown_on_web=False)
    catalog.course(org, name="Elsewhere", location=factories.location(org, position=9))
    catalog.course(org, name="Last term", term=catalog.term(org, end_date=date(2026, 11, 1)))
    response = client.get(CLASSES)
    assert names(response) == ["Tumble Tots"]
    html = response.content.decode()
    for text in ["Tue, Thu", "4:00pm–5:00pm", "Ages 5-7", "Maria Alvarez", "8 openings", "$80.00"]:
        assert text in html, text
    assert "Need help finding the right class?" in html


def test_openings_show_as_open_or_full_when_staff_choose_so(client, org, term):
    catalog.course(org, name="Roomy")
    catalog.course(org, name="Waitlist", capacity=0, waitlist_allowed=True)
    catalog.course(org, name="Closed", capacity=0, waitlist_allowed=False)
    html = client.get(CLASSES).content.decode()
    assert "FULL — waitlist" in html and ">FULL<" in html
    settings = org.portal_settings
    settings.openings_display = "open_full"
    settings.save()
    assert ">OPEN<" in client.get(CLASSES).content.decode()


def test_places_taken_come_from_the_registry_later_issues_fill(client, org, term, monkeypatch):
    catalog.course(org, name="Busy", capacity=5)
    monkeypatch.setitem(
        availability.COURSE_PLACES_TAKEN,
        "enrollments",
        lambda now: Value(3, output_field=IntegerField()),
    )
    assert "2 openings" in client.get(CLASSES).content.decode()
    assert names(client.get(CLASSES + "?openings=on")) == ["Busy"]
    monkeypatch.setitem(
        availability.COURSE_PLACES_TAKEN,
        "holds",
        lambda now: Value(2, output_field=IntegerField()),
    )
    assert "FULL — waitlist" in client.get(CLASSES).content.decode()
    assert names(client.get(CLASSES + "?openings=on")) == []


def test_each_filter_narrows_the_list(client, org, term):
    catalog.program(org, name="Gymnastics")
    swim = catalog.program(org, name="Swim Lessons")
    coach = factories.staff_profile(org, name="Jordan Lee")
    catalog.course(org, name="Gym Monday 4pm")
    catalog.course(
        org,
        name="Swim Tuesday 10am",
        program=swim,
        monday=False,
        tuesday=True,
        start_time=time(10),
        end_time=time(11),
    ).instructors.add(coach)
    catalog.course(
        org,
        name="Girls Wednesday 6pm",
        gender="girls",
        monday=False,
        wednesday=True,
        start_time=time(18),
        end_time=time(19),
        min_age_years=9,
        max_age_years=12,
    )
    catalog.course(
        org, name="Boys Monday 1pm", gender="boys", start_time=time(13), end_time=time(14)
    )
    assert names(client.get(CLASSES + f"?program={swim.pk}")) == ["Swim Tuesday 10am"]
    assert names(client.get(CLASSES + "?day=2")) == ["Girls Wednesday 6pm"]
    monday = ["Boys Monday 1pm", "Gym Monday 4pm"]
    assert names(client.get(CLASSES + "?day=0")) == monday
    assert names(client.get(CLASSES + "?age=0")) == []
    assert names(client.get(CLASSES + "?time_of_day=morning")) == ["Swim Tuesday 10am"]
    assert names(client.get(CLASSES + "?time_of_day=evening")) == ["Girls Wednesday 6pm"]
    assert names(client.get(CLASSES + "?age=10")) == ["Girls Wednesday 6pm"]
    assert "Boys Monday 1pm" not in names(client.get(CLASSES + "?gender=girls"))
    assert "Girls Wednesday 6pm" in names(client.get(CLASSES + "?gender=girls"))
    assert names(client.get(CLASSES + f"?instructor={coach.pk}")) == ["Swim Tuesday 10am"]
    assert names(client.get(CLASSES + "?q=swim")) == ["Swim Tuesday 10am"]


def test_only_the_filters_staff_switched_on_are_offered_and_applied(client, org, term):
    swim = catalog.program(org, name="Swim Lessons")
    catalog.course(org, name="Gym")
    catalog.course(org, name="Swim", program=swim)
    settings = org.portal_settings
    settings.class_filters = ["day"]
    settings.save()
    response = client.get(CLASSES + f"?program={swim.pk}")
    assert sorted(names(response)) == ["Gym", "Swim"]
    assert 'name="program"' not in response.content.decode()
    assert 'name="day"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "age=abc",
        "age=-4",
        "age=99999999999999999999",
        "day=9",
        "day=abc",
        "page=-1",
        "page=abc",
        "page=99999",
        "q=" + "x" * 10_000,
        "program=abc",
        "program=99999",
        "instructor=-5",
        "level=" + "9" * 5_000,
        "time_of_day=midnight",
        "term=abc",
        "term=" + "1" * 300,
        "openings=maybe",
    ],
)
def test_malformed_filters_are_ignored_never_an_error(client, org, term, query):
    catalog.course(org, name="Still listed")
    response = client.get(f"{CLASSES}?{query}")
    assert response.status_code == 200
    assert names(response) == ["Still listed"]


def test_an_ignored_filter_is_explained(client, org, term):
    catalog.course(org)
    response = client.get(CLASSES + "?day=9&age=abc")
    notes = response.context["ignored"]
    assert any(note.startswith("Day:") for note in notes)
    assert any(note.startswith("Age (years):") for note in notes)
    assert b"We ignored a filter" in response.content


def test_another_organizations_term_is_a_404(client, org, other_org, term):
    rival_term = catalog.term(other_org)
    assert client.get(f"{CLASSES}?term={rival_term.pk}").status_code == 404
    assert client.get(f"{CLASSES}?term=987654").status_code == 404


def test_a_term_picker_when_several_terms_are_listed(client, org, term):
    spring = catalog.term(
        org, name="Spring 2027", start_date=date(2027, 4, 5), end_date=date(2027, 6, 12)
    )
    catalog.course(org, name="Winter class", term=term)
    catalog.course(org, name="Spring class", term=spring)
    response = client.get(CLASSES)
    assert names(response) == ["Winter class"]
    assert b"Change term" in response.content
    assert names(client.get(f"{CLASSES}?term={spring.pk}")) == ["Spring class"]


def test_no_term_yet_says_so(client, org):
    response = client.get(CLASSES)
    assert b"No classes are open for booking right now" in response.content


def test_24_per_page_with_the_page_and_filters_in_the_links(client, org, term):
    for number in range(30):
        catalog.course(org, name=f"Class {number:02d}")
    first = client.get(CLASSES + "?day=0")
    assert len(names(first)) == 24
    assert "?day=0&amp;page=2" in first.content.decode()
    second = client.get(CLASSES + "?day=0&page=2")
    assert len(names(second)) == 6


def test_htmx_gets_only_the_results_and_the_url_to_push(client, org, term):
    catalog.course(org, name="Swap me")
    response = client.get(CLASSES + "?day=0", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="sb-results"')
    assert "<html" not in html and "Swap me" in html
    assert response["HX-Push-Url"] == CLASSES + "?day=0"
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        CLASSES + "?day=0",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in restore.content


def test_the_filter_form_works_without_javascript(client, org, term):
    html = client.get(CLASSES).content.decode()
    assert '<form method="get" action="/acme/booking/classes/"' in html
    assert 'hx-push-url="true"' in html


class TestFindTheRightClass:
    def test_a_birth_date_and_gender_give_only_qualifying_courses(self, client, org, term):
        catalog.course(org, name="Ages 5-7")
        catalog.course(org, name="Ages 8-10", min_age_years=8, max_age_years=10)
        catalog.course(org, name="Boys 5-7", gender="boys")
        response = client.get(
            WIZARD + "?birth_date=2020-06-01&student_gender=female&first_name=Maya"
        )
        assert names(response) == ["Ages 5-7"]
        assert b"Classes Maya qualifies for" in response.content
        assert b"birth_date=2020-06-01" in response.content  # the detail link carries her

    def test_then_narrow_by_day(self, client, org, term):
        catalog.course(org, name="Monday")
        catalog.course(org, name="Friday", monday=False, friday=True)
        query = "?birth_date=2020-06-01&student_gender=other"
        assert sorted(names(client.get(WIZARD + query))) == ["Friday", "Monday"]
        assert names(client.get(WIZARD + query + "&day=4")) == ["Friday"]

    @pytest.mark.parametrize(
        ("birth_date", "message"),
        [
            ("2027-01-01", "The birth date is in the future."),
            ("1899-12-31", "Enter a birth date after 1900."),
            ("not-a-date", "Enter a valid date."),
            ("x" * 10_000, "Enter a valid date."),
        ],
    )
    def test_a_bad_birth_date_is_a_message(self, client, org, term, birth_date, message):
        response = client.get(WIZARD, {"birth_date": birth_date, "student_gender": "female"})
        assert response.status_code == 200
        assert message in response.content.decode()

    def test_an_unknown_gender_is_a_message(self, client, org, term):
        response = client.get(WIZARD + "?birth_date=2020-01-01&student_gender=robot")
        assert b"Select a valid choice" in response.content

    def test_an_organization_without_locations_lists_nothing(self, client, term):
        bare = factories.organization("bare")
        catalog.term(bare)
        url = "/bare/booking/find-the-right-class/?birth_date=2020-01-01&student_gender=male"
        assert client.get(url).status_code == 200
        assert client.get("/bare/booking/classes/").status_code == 200
        assert client.get("/bare/booking/events/").status_code == 200
        assert client.get("/bare/booking/parties/").status_code == 200

    def test_switched_off_it_is_a_404(self, client, org, term):
        settings = org.portal_settings
        settings.find_right_class_enabled = False
        settings.save()
        assert client.get(WIZARD).status_code == 404


class TestCourseDetail:
    def test_it_lists_upcoming_meetings_without_closures(self, client, org, term):
        course = catalog.course(org, name="Tumbling")
        catalog.closure(org, date(2027, 1, 18))
        response = client.get(f"/acme/booking/classes/{course.pk}/")
        meetings = [start.date() for start, _end in response.context["meetings"]]
        assert meetings[:3] == [date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 25)]
        assert b"Mon 4 Jan 2027" in response.content

    def test_a_late_class_is_listed_on_its_local_day(self, client, org, term):
        course = catalog.course(org, start_time=time(19), end_time=time(20))  # 1am UTC
        response = client.get(f"/acme/booking/classes/{course.pk}/")
        assert b"Mon 4 Jan 2027" in response.content
        assert b"Tue 5 Jan 2027" not in response.content

    def test_with_a_student_it_says_why_not(self, client, org, term):
        course = catalog.course(org, name="Tumbling")
        query = "birth_date=2022-04-01&student_gender=female&first_name=Maya"
        response = client.get(f"/acme/booking/classes/{course.pk}/?{query}")
        assert "Ages 5-7; Maya will be 4y 9m on 4 Jan" in response.content.decode()

    def test_a_hidden_course_is_a_404(self, client, org, term):
        course = catalog.course(org, shown_on_web=False)
        assert client.get(f"/acme/booking/classes/{course.pk}/").status_code == 404


def test_booking_and_find_the_right_class_appear_in_the_chrome_by_their_switch(client, org):
    dashboard = client.get("/acme/dashboard/").content.decode()
    assert 'data-testid="tile-booking"' in dashboard
    menu = dashboard.split('id="sb-menu"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/acme/booking/">Booking</a>' in menu
    assert 'data-testid="tile-find_right_class"' in dashboard
    booking = client.get("/acme/booking/").content.decode()
    for key in ["classes", "events", "parties", "find_right_class"]:
        assert f'data-testid="tile-{key}"' in booking
    settings = org.portal_settings
    settings.find_right_class_enabled = False
    settings.save()
    assert (
        'data-testid="tile-find_right_class"' not in client.get("/acme/dashboard/").content.decode()
    )
    assert (
        'data-testid="tile-find_right_class"' not in client.get("/acme/booking/").content.decode()
    )


def test_the_classes_page_caches_its_filters_and_cards(client, org, term, settings):
    from django.core.cache import cache

    from tests.helpers import queries_for

    settings.CATALOG_PAGE_CACHE_SECONDS = 30
    cache.clear()
    catalog.course(org, name="Cached")
    cold = queries_for(client, CLASSES + "?day=0")
    warm = queries_for(client, CLASSES + "?day=0")
    assert warm < cold
    assert "Cached" in client.get(CLASSES + "?day=0").content.decode()
    # Another filter is another entry; another organization's settings never leak in.
    assert "No classes match" in client.get(CLASSES + "?day=3").content.decode()
    # A malformed query is never cached: junk URLs add no entries.
    entries = len(cache._cache)  # local memory in tests
    client.get(CLASSES + "?day=9&junk=1")
    assert len(cache._cache) == entries
    fragment = client.get(CLASSES + "?day=0", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="sb-results"')
    assert fragment["HX-Push-Url"] == CLASSES + "?day=0"
    cache.clear()


def test_the_dropdowns_offer_what_the_terms_shown_courses_here_use(client, org, term):
    gym, swim, ninja = (catalog.program(org, name=n) for n in ["Gym", "Swim", "Secret Ninja"])
    coach, hidden_coach = factories.staff_profile(org, name="Jo"), factories.staff_profile(org)
    catalog.course(org, program=gym).instructors.add(coach)
    catalog.course(org, program=swim, location=factories.location(org, position=9))
    catalog.course(org, program=ninja, shown_on_web=False).instructors.add(hidden_coach)
    form = client.get(CLASSES).context["form"]
    assert form.fields["program"].choices == [("", "All programs"), (str(gym.pk), "Gym")]
    assert form.fields["instructor"].choices == [("", "Any instructor"), (str(coach.pk), "Jo")]
    assert "level" not in form.fields  # no course has a level: nothing to choose


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_course_page_writes_meeting_dates_as_the_date_filter_does(language):
    """The page formats its meetings once in the view (docs/performance.md, "pagecost"): the
    same text and instant as `date:"D j M Y"` and `date:"c"` in the location's zone."""
    import zoneinfo
    from datetime import timedelta

    from django.utils import dateformat, translation

    from springboard.portal.views.booking import meeting_times

    zone = zoneinfo.ZoneInfo("America/New_York")
    starts = [
        datetime.combine(date(2026, 10, 26) + timedelta(days=day), time(19, 30), tzinfo=zone)
        for day in range(0, 400, 3)  # every weekday and month, across daylight-saving changes
    ]
    with translation.override(language):
        expected = [(s.isoformat(), dateformat.format(s, "D j M Y")) for s in starts]
        assert meeting_times(iter(starts)) == expected
