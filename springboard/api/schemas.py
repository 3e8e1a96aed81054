"""The API's typed shapes (pydantic, through django-ninja): one definition gives the
validation of what comes in, the serialisation of what goes out and the OpenAPI schema.

Money is a string with two decimals ("25.00") in the organization's currency, never a float.
Ids in JSON bodies are strict integers (a string "5" is refused, as is 5.0); ids in paths and
query strings are read by core/parsing.py like the portal's.
"""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from springboard.core.parsing import MAX_ID

Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
# Path and query ids: ASCII digits only (the rest of the rule is core.parsing.parse_id's).
ID_PATTERN = r"^[0-9]{1,20}$"
# A wall-clock time at the location ("16:00"), in its time_zone: no offset, since a weekly
# class keeps its local time across daylight-saving changes.
LocalTime = Annotated[str, Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$")]


class Error(Schema):
    detail: str | list[dict]


class Location(Schema):
    id: int
    name: str
    address_line1: str
    city: str
    region: str
    postal_code: str
    phone: str
    email: str
    time_zone: str


class Term(Schema):
    id: int
    name: str
    start_date: date
    end_date: date
    enrollment_opens_at: datetime
    enrollment_closes_at: datetime | None


class Openings(Schema):
    capacity: int
    left: int = Field(description="What a newcomer may book now (families waiting first).")
    full: bool
    waitlist_allowed: bool
    label: str = Field(description="The badge the class list shows, e.g. '3 openings'.")


class Course(Schema):
    id: int
    name: str
    description: str
    program: str
    level: str | None
    term_id: int
    location_id: int
    room: str
    weekdays: list[str]
    start_time: LocalTime
    end_time: LocalTime
    tuition: str
    tuition_period: str
    openings: Openings


class Meeting(Schema):
    starts_at: datetime
    ends_at: datetime


class CourseDetail(Course):
    meetings: list[Meeting]


class CoursePage(Schema):
    count: int
    term_id: int | None
    location_id: int | None
    results: list[Course]


class CampDay(Schema):
    id: int
    date: date
    start_time: LocalTime
    end_time: LocalTime
    places_left: int


class Camp(Schema):
    id: int
    kind: str
    name: str
    description: str
    location_id: int
    price_per_day: str | None
    price_whole_event: str | None
    single_days_bookable: bool
    days: list[CampDay]


class PartyPackage(Schema):
    id: int
    name: str
    description: str
    price: str
    guests_included: int
    max_guests: int
    price_per_extra_guest: str
    duration_minutes: int


class PartySlot(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    room: str
    package_ids: list[int]


class Parties(Schema):
    location_id: int | None
    date: date
    packages: list[PartyPackage]
    open_slots: list[PartySlot]


class News(Schema):
    id: int
    title: str
    summary: str
    published_at: datetime
    expires_at: datetime | None


class TokenRequest(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    name: str = Field("", max_length=80, description="What the token is for, e.g. 'Ana's phone'.")


class TokenOut(Schema):
    token: str = Field(description="Shown once: send it as 'Authorization: Bearer <token>'.")
    id: int
    name: str
    created_at: datetime


class Student(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: date
    gender: str


class Upcoming(Schema):
    starts_at: datetime
    ends_at: datetime
    kind: str
    student: str
    what: str
    location: str


class CartItem(Schema):
    id: int
    kind: str
    label: str
    student_id: int | None
    course_id: int | None
    expires_at: datetime | None
    price: str


class AddClass(Schema):
    course: Id
    students: list[Id] = Field(min_length=1, max_length=20)


class Order(Schema):
    id: int
    status: str
    total: str
    due_now: str
    expires_at: datetime
    pay_url: str = Field(description="The portal's page where the order is paid.")


class HistoryEntry(Schema):
    at: datetime
    kind: str
    id: int
    label: str
    amount: str
    delta: str
    running_balance: str
    status: str
    method: str
    discounts: list[str]


class HistoryPage(Schema):
    count: int
    results: list[HistoryEntry]
