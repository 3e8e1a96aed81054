from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone


def _snapshot(media_root):
    rows = {
        model._meta.label: sorted(
            (tuple(sorted(row.items())) for row in model.objects.values()), key=repr
        )
        for model in apps.get_models()
        if model._meta.app_label
        in {"tenancy", "families", "content", "catalog", "booking", "billing", "checkout", "shop"}
    }
    files = sorted(
        (str(path.relative_to(media_root)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in media_root.rglob("*")
        if path.is_file()
    )
    return rows, files


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing_the_second_time(settings):
    call_command("load_demo", i_know_this_is_not_production=True)
    first = _snapshot(settings.MEDIA_ROOT)
    assert first[0]["tenancy.Organization"], "the first run loads organizations"
    assert len(first[1]) >= 5, "the first run draws images"
    call_command("load_demo", i_know_this_is_not_production=True)
    assert _snapshot(settings.MEDIA_ROOT) == first


@pytest.mark.django_db
def test_the_demo_has_what_the_readme_promises(settings):
    from springboard.content.models import NewsItem, StaffProfile
    from springboard.tenancy.models import Organization

    call_command("load_demo", i_know_this_is_not_production=True)
    demo = Organization.objects.get(account_name="demo")
    assert demo.location_set.count() == 2
    assert NewsItem.objects.filter(organization=demo).count() == 5
    assert NewsItem.objects.filter(organization=demo, show_on_splash=True).count() == 3
    assert StaffProfile.objects.filter(organization=demo).count() == 4
    switches = demo.portal_settings
    assert all(
        [
            switches.proshop_enabled,
            switches.egift_cards_enabled,
            switches.welcome_enabled,
            switches.staff_page_enabled,
            switches.find_right_class_enabled,
            switches.live_enabled,
        ]
    )
    riverside = Organization.objects.get(account_name="riverside")
    assert riverside.location_set.count() == 1
    assert not riverside.portal_settings.proshop_enabled


@pytest.mark.django_db
def test_the_demo_has_full_and_nearly_full_classes_from_enrollments():
    from springboard.booking.models import Enrollment, WaitlistEntry
    from springboard.catalog.availability import with_course_places_taken
    from springboard.catalog.models import Course
    from springboard.demo import data

    data.load(now=timezone.now())
    courses = with_course_places_taken(
        Course.objects.filter(organization__account_name="demo"), now=timezone.now()
    )
    assert courses.filter(capacity__gt=0, places_left=0).count() >= 5
    assert courses.filter(places_left=1).count() >= 3
    assert (
        Enrollment.objects.count()
        == Enrollment.objects.values("student", "course").distinct().count()
    )
    assert WaitlistEntry.objects.filter(status="waiting").exists()


DEMO_APPS = {"tenancy", "families", "content", "catalog", "booking", "billing", "checkout"}
DEMO_APPS |= {"sandbox_gateway", "auth", "waitingroom"}


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in DEMO_APPS
    }


def _files(media_root):
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*.*"))


@pytest.mark.django_db(transaction=True)
def test_a_run_on_a_later_day_starts_the_demo_anew_from_an_empty_database(settings):
    from springboard.billing import balances
    from springboard.demo.dates import loaded_on
    from springboard.families.models import Family
    from springboard.tenancy.models import Organization

    settings.DEBUG = True  # emptying the database is for the local demo only
    first_day = timezone.now()
    with time_machine.travel(first_day, tick=False):
        call_command("load_demo")
    counts, files = _counts(), _files(settings.MEDIA_ROOT)

    with time_machine.travel(first_day + timedelta(days=1), tick=False):
        with pytest.raises(CommandError, match="loaded on"):
            call_command("load_demo")
        assert _counts() == counts, "a refused run changes nothing"

        call_command("load_demo", fresh_if_stale=True)
        demo = Organization.objects.get(account_name="demo")
        assert loaded_on(demo) == timezone.localdate(timezone=demo_zone(demo))
        assert _counts() == counts, "as many rows as one load: nothing stale is left"
        assert _files(settings.MEDIA_ROOT) == files, "the old pictures were removed"
        rivera = Family.objects.get(organization=demo, email="family@demo.example")
        assert balances.balance(rivera) == Decimal("60.00")


@pytest.mark.django_db
def test_emptying_a_stale_database_is_refused_without_debug(settings):
    from springboard.tenancy.models import Organization

    settings.DEBUG = False
    first_day = timezone.now()
    with time_machine.travel(first_day, tick=False):
        call_command("load_demo", i_know_this_is_not_production=True)
    later = time_machine.travel(first_day + timedelta(days=3), tick=False)
    with later, pytest.raises(CommandError, match="empties the whole database"):
        call_command("load_demo", fresh_if_stale=True, i_know_this_is_not_production=True)
    assert Organization.objects.filter(account_name="demo").exists()


def demo_zone(organization):
    import zoneinfo

    return zoneinfo.ZoneInfo(organization.time_zone)


@pytest.mark.django_db
def test_the_demo_proshop_has_sizes_one_low_and_one_sold_out(settings):
    from django.utils import timezone

    from springboard.shop import stock
    from springboard.shop.models import Product
    from springboard.tenancy.models import Organization

    call_command("load_demo", i_know_this_is_not_production=True)
    demo = Organization.objects.get(account_name="demo")
    main = demo.location_set.get(name="Main Street")
    products = {
        p.title: p
        for p in stock.with_product_stock(
            Product.objects.filter(organization=demo), location_id=main.pk, now=timezone.now()
        )
    }
    assert set(products) == {"Team leotard", "Silicone swim cap", "Water bottle"}
    assert products["Water bottle"].units_left == 0  # sold out
    assert 0 < products["Silicone swim cap"].units_left <= stock.LOW_STOCK_BADGE  # low
    sizes = products["Team leotard"].variants.values_list("option1", flat=True)
    assert list(sizes) == ["XS", "S", "M", "L"]
    assert products["Team leotard"].category.parent.name == "Apparel"
