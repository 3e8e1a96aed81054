"""bench/rush.py's database: a fresh copy of a migrated template, loaded with the rush
organization (RUSH_CLASSES classes sharing RUSH_SEATS seats, RUSH_FAMILIES families each with
a login, a confirmed email and one student; with RUSH_WAITING_ROOM=1 its waiting room on at
RUSH_ADMIT_PER_MINUTE), the opening set when the clock starts, and the checks in SQL once the
families are done (oversold, unsold, payments per booking, the ledger)."""

import os
import subprocess  # noqa: S404
import sys
import urllib.parse
from pathlib import Path

from bench.rush_families import ACCOUNT, PASSWORD

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = int(os.environ.get("RUSH_FAMILIES", "1000"))
CLASSES = int(os.environ.get("RUSH_CLASSES", "20"))
SEATS = int(os.environ.get("RUSH_SEATS", "200"))
ROOM = os.environ.get("RUSH_WAITING_ROOM", "1") == "1"
# 1,200: the rate 2 cores carried with every aim met (docs/performance.md, "The classes page
# kept whole"); blank: WaitingRoom's default (600), as a new organization's room admits.
RATE = os.environ.get("RUSH_ADMIT_PER_MINUTE", "1200")
DATABASE = os.environ.get("RUSH_DATABASE_URL", "postgres://root@localhost:5432/springboard_rush")


def _database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def _with_name(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def fresh_database(env: dict) -> None:
    """A migrated template (migrate is a no-op when nothing changed), copied afresh."""
    name = _database_name(DATABASE)
    template = name + "_template"
    admin = _with_name(DATABASE, "postgres")
    psql = ["psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run(["createdb", "--maintenance-db", admin, template], capture_output=True)  # noqa: S603,S607
    migrate_env = {**env, "DATABASE_URL": _with_name(DATABASE, template)}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=migrate_env,
        check=True,
    )
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)  # noqa: S603
    subprocess.run([*psql, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'], check=True)  # noqa: S603


def load_data() -> None:
    import django

    django.setup()
    from datetime import date, time, timedelta
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from springboard.catalog.models import Course, Program, Term
    from springboard.families.models import Family, Guardian, Student, User
    from springboard.tenancy.models import Location, Organization

    call_command("collectstatic", "--noinput", verbosity=0)
    now = timezone.now()
    today = timezone.localdate(now)
    org = Organization.objects.create(account_name=ACCOUNT, name="Rush Gym")
    location = Location.objects.create(
        organization=org, name="Main gym", address_line1="1 Road", city="X", position=0
    )
    program = Program.objects.create(organization=org, name="Recreational Gymnastics")
    term = Term.objects.create(
        organization=org,
        name="Spring term",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=120),
        # With the waiting room the opening is set when the clock starts (open_registration).
        enrollment_opens_at=now + timedelta(days=1) if ROOM else now - timedelta(days=1),
    )
    if ROOM:
        from springboard.waitingroom.models import WaitingRoom

        WaitingRoom.objects.create(
            organization=org, is_on=True, **({"admissions_per_minute": int(RATE)} if RATE else {})
        )
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    Course.objects.bulk_create(
        [
            Course(
                organization=org,
                program=program,
                term=term,
                location=location,
                name=f"Gymnastics {n + 1}",
                start_time=time(9 + n % 10),
                end_time=time(10 + n % 10),
                min_age_years=0,
                max_age_years=99,
                capacity=SEATS // CLASSES + (1 if n < SEATS % CLASSES else 0),
                tuition=Decimal("80.00"),
                **{days[n % 6]: True},
            )
            for n in range(CLASSES)
        ]
    )
    password = make_password(PASSWORD)  # one hash for all: loading stays fast
    users = User.objects.bulk_create(
        [User(email=f"family{n}@rush.example", password=password) for n in range(FAMILIES)]
    )
    families = Family.objects.bulk_create(
        [
            Family(
                organization=org,
                name=f"The Family {n}",
                email=user.email,
                email_confirmed_at=now,
                address_line1="12 Elm Street",
                city="Springfield",
                postal_code="62701",
                mobile_phone="+12175550147",
            )
            for n, user in enumerate(users)
        ]
    )
    Guardian.objects.bulk_create(
        [
            Guardian(
                organization=org,
                family=family,
                user=user,
                first_name="Parent",
                last_name=str(n),
                email=user.email,
                is_primary=True,
            )
            for n, (family, user) in enumerate(zip(families, users, strict=True))
        ]
    )
    Student.objects.bulk_create(
        [
            Student(
                organization=org,
                family=family,
                first_name=f"Kid{n}",
                last_name=str(n),
                birth_date=date(today.year - 8, 5, 4),
                gender="female",
            )
            for n, family in enumerate(families)
        ]
    )
    analyze()


def analyze() -> None:
    """Give the planner the loaded tables' statistics, as autovacuum's analyze would on a
    production server soon after a load. Without them (autovacuum is off on some machines,
    these among them) PostgreSQL plans as if a table of 2,000 courses were a few hundred rows
    and reads it whole for a page of 24 (docs/performance.md, "The bench's statistics")."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def open_registration(seconds: float):
    """Registration opens `seconds` from now (the term's enrollment_opens_at; the workers
    read the term on every class page and add); returns the opening."""
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from springboard.catalog.models import Term

    opens_at = (timezone.now() + timedelta(seconds=seconds)).replace(microsecond=0)
    with scopes_disabled():
        Term.objects.filter(organization__account_name=ACCOUNT).update(enrollment_opens_at=opens_at)
    return opens_at


def room_settings() -> dict:
    from django_scopes import scopes_disabled

    from springboard.tenancy.models import Organization
    from springboard.waitingroom import services

    with scopes_disabled():
        room = services.room_of(Organization.objects.get(account_name=ACCOUNT))
    return {"rate": room.admissions_per_minute, "pass": room.pass_minutes}


PER_COURSE = """
    SELECT c.capacity, (SELECT count(*) FROM booking_enrollment e
                        WHERE e.course_id = c.id AND e.status = 'active') AS sold
    FROM catalog_course c WHERE c.organization_id = %(org)s"""
SEATS_SQL = (
    "SELECT coalesce(sum(greatest(sold - capacity, 0)), 0), "
    "coalesce(sum(greatest(capacity - sold, 0)), 0), coalesce(sum(sold), 0) "
    "FROM (" + PER_COURSE + ") AS x"
)
PAYMENTS_SQL = """
    SELECT (SELECT count(*) FROM billing_payment
            WHERE organization_id = %(org)s AND status = 'succeeded'),
           (SELECT count(*) FROM checkout_order
            WHERE organization_id = %(org)s AND status = 'confirmed'),
           (SELECT count(*) FROM (SELECT idempotency_key FROM billing_payment
            WHERE organization_id = %(org)s GROUP BY idempotency_key
            HAVING count(*) > 1) AS d)"""
LEDGER_SQL = """
    SELECT (SELECT coalesce(sum(amount), 0) FROM billing_charge
            WHERE organization_id = %(org)s),
           (SELECT coalesce(sum(a.amount), 0) FROM billing_allocation a
            JOIN billing_charge c ON c.id = a.charge_id WHERE c.organization_id = %(org)s),
           (SELECT coalesce(sum(amount), 0) FROM billing_payment
            WHERE organization_id = %(org)s AND status = 'succeeded')"""


def sql_checks() -> dict:
    from django.db import connection

    def one(sql: str, params: dict):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    found = one("SELECT id FROM tenancy_organization WHERE account_name = %(a)s", {"a": ACCOUNT})
    org = {"org": found[0]}
    oversold, unsold, sold = one(SEATS_SQL, org)
    payments, paid_orders, double = one(PAYMENTS_SQL, org)
    charged, allocated, received = one(LEDGER_SQL, org)
    return {
        "sold": sold,
        "oversold": oversold,
        "unsold": unsold,
        "payments": payments,
        "paid orders": paid_orders,
        "keys paid twice": double,
        "charged": charged,
        "allocated": allocated,
        "received": received,
    }
