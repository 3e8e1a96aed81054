"""The admission rules (springboard/waitingroom/rules.py) on the cache the tests use, and on
Redis when one answers at CACHE_URL=redis://127.0.0.1:6379/15: lottery among the families
that arrived before the opening, arrival order after, the rate, passes issued once."""

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient

from springboard.waitingroom import rules

OPENS = datetime(2026, 12, 1, 15, tzinfo=UTC)
REDIS_URL = "redis://127.0.0.1:6379/15"


def rush(rate=60, pass_minutes=20) -> rules.Rush:
    return rules.Rush(
        organization_id=7, opens_at=OPENS, admissions_per_minute=rate, pass_minutes=pass_minutes
    )


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


# Each xdist worker keeps to keys of its own: a FLUSHDB (`cache.clear()`) by one worker's test
# would wipe the draw and slots another worker's test is in the middle of.
PREFIX = f"admission-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _clear() -> None:
    if not isinstance(cache._cache, RedisCacheClient):  # locmem: the process's own
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{PREFIX}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """The tests' own cache, then a real Redis (skipped when none answers)."""
    if request.param == "redis":
        if not _redis_answers():
            pytest.skip(f"no Redis at {REDIS_URL}")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": PREFIX,
            }
        }
    _clear()
    yield request.param
    _clear()


def test_families_that_arrive_before_the_opening_share_a_lottery(any_cache):
    room = rush()
    before = OPENS - timedelta(minutes=20)
    numbers = [
        rules.join(room, waiter=f"w{i}", now=before + timedelta(seconds=i)) for i in range(40)
    ]
    assert numbers == list(range(1, 41))
    # Before the opening nobody has a place yet: arriving first is no advantage.
    assert rules.standing(room, 1, now=OPENS - timedelta(seconds=1)).place is None

    places = [rules.place_of(room, n, now=OPENS) for n in numbers]
    assert sorted(places) == list(range(40))  # everyone a place, nobody twice
    assert places != list(range(40))  # not arrival order (1 chance in 40! otherwise)
    # Drawn once: asking again, from any worker, later, gives the same places.
    assert [rules.place_of(room, n, now=OPENS + timedelta(minutes=3)) for n in numbers] == places


def test_the_lottery_is_not_the_arrival_order_on_average(any_cache):
    """Over many openings the first arrival is as likely to be anywhere in line."""
    first_places = []
    for opening in range(60):
        room = rules.Rush(
            organization_id=7,
            opens_at=OPENS + timedelta(days=opening),
            admissions_per_minute=60,
            pass_minutes=20,
        )
        for i in range(10):
            rules.join(room, waiter=f"w{i}", now=room.opens_at - timedelta(minutes=5))
        first_places.append(rules.place_of(room, 1, now=room.opens_at))
    assert len(set(first_places)) >= 5  # spread over the line, not always first
    assert first_places.count(0) < 30


def test_later_arrivals_wait_behind_the_lottery_in_arrival_order(any_cache):
    room = rush()
    for i in range(5):
        rules.join(room, waiter=f"early{i}", now=OPENS - timedelta(minutes=1))
    late = [
        rules.join(room, waiter=f"late{i}", now=OPENS + timedelta(seconds=1 + i)) for i in range(3)
    ]
    assert late == [6, 7, 8]
    assert [rules.place_of(room, n, now=OPENS + timedelta(seconds=5)) for n in late] == [5, 6, 7]
    # A family arriving at the opening, before anyone asked for the draw, is not in it.
    other = rules.Rush(7, OPENS + timedelta(days=1), 60, 20)
    rules.join(other, waiter="early", now=other.opens_at - timedelta(seconds=1))
    assert rules.join(other, waiter="on-time", now=other.opens_at) == 2
    assert rules.place_of(other, 2, now=other.opens_at) == 1


def test_a_family_keeps_its_number_when_it_comes_back(any_cache):
    room = rush()
    first = rules.join(room, waiter="rivera", now=OPENS - timedelta(minutes=10))
    rules.join(room, waiter="chen", now=OPENS - timedelta(minutes=9))
    assert rules.join(room, waiter="rivera", now=OPENS - timedelta(minutes=1)) == first
    assert rules.join(room, waiter="rivera", now=OPENS + timedelta(minutes=1)) == first


def test_families_are_admitted_at_the_set_rate(any_cache):
    room = rush(rate=60)  # 10 every 10 seconds
    for i in range(35):
        rules.join(room, waiter=f"w{i}", now=OPENS + timedelta(milliseconds=i))
    assert rules.admitted_count(room, now=OPENS - timedelta(seconds=1)) == 0
    assert rules.admitted_count(room, now=OPENS) == 10
    assert rules.admitted_count(room, now=OPENS + timedelta(seconds=19)) == 20
    assert rules.admitted_count(room, now=OPENS + timedelta(minutes=1)) == 70

    # The 25th in line (place 24): 14 ahead at the opening, in at the third batch (20 s).
    at_opening = rules.standing(room, 25, now=OPENS)
    assert (at_opening.place, at_opening.ahead, at_opening.wait_seconds) == (25, 14, 20)
    assert not at_opening.admitted
    assert not rules.standing(room, 25, now=OPENS + timedelta(seconds=19)).admitted
    assert rules.standing(room, 25, now=OPENS + timedelta(seconds=20)).admitted
    assert rules.pass_expiry(room, 25, now=OPENS + timedelta(seconds=19)) is None


def test_a_pass_is_issued_once_and_an_expired_one_sends_the_family_to_the_back(any_cache):
    room = rush(rate=6, pass_minutes=20)  # one family every 10 seconds
    number = rules.join(room, waiter="rivera", now=OPENS)
    assert number == 1
    first = rules.pass_expiry(room, number, now=OPENS + timedelta(seconds=1))
    assert first == OPENS + timedelta(seconds=1, minutes=20)
    # Asking again (a reload, another worker) gives the same pass, not a longer one.
    assert rules.pass_expiry(room, number, now=OPENS + timedelta(minutes=5)) == first
    assert not rules.is_spent(room, number, now=first - timedelta(seconds=1))

    for i in range(3):
        rules.join(room, waiter=f"w{i}", now=OPENS + timedelta(minutes=1))
    assert rules.is_spent(room, number, now=first)
    again = rules.join(room, waiter="rivera", now=first)
    assert again == 5  # a new ticket behind everyone who arrived meanwhile
    assert rules.standing(room, again, now=first).place == 5
    # The spent ticket never admits again.
    assert rules.is_spent(room, number, now=first + timedelta(hours=1))


def _join_at_once(room, waiters, now):
    barrier = threading.Barrier(len(waiters))
    numbers = []

    def one(waiter):
        barrier.wait()
        numbers.append(rules.join(room, waiter=waiter, now=now))

    threads = [threading.Thread(target=one, args=(w,)) for w in waiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return numbers


def test_a_read_then_write_counter_gives_two_families_the_same_number(any_cache):
    """Why the rules use `add`/`incr`: two workers reading then writing a counter (here
    interleaved by hand, as two workers would be) hand out one number twice."""
    key = "naive-counter"
    cache.set(key, 0)
    first_read = cache.get(key)
    second_read = cache.get(key)  # the other worker reads before the first writes
    cache.set(key, first_read + 1)
    cache.set(key, second_read + 1)
    assert first_read + 1 == second_read + 1  # the same number, twice

    cache.add("atomic-counter", 0)
    assert {cache.incr("atomic-counter"), cache.incr("atomic-counter")} == {1, 2}


def test_families_joining_at_once_never_get_the_same_number(any_cache):
    room = rush()
    numbers = _join_at_once(room, [f"w{i}" for i in range(30)], OPENS - timedelta(minutes=1))
    assert sorted(numbers) == list(range(1, 31))


def test_the_same_family_joining_twice_at_once_holds_one_number(any_cache):
    room = rush()
    numbers = _join_at_once(room, ["rivera"] * 8, OPENS - timedelta(minutes=1))
    assert len(set(numbers)) == 1


def test_workers_drawing_at_once_draw_one_lottery(any_cache):
    room = rush()
    for i in range(20):
        rules.join(room, waiter=f"w{i}", now=OPENS - timedelta(minutes=1))
    barrier = threading.Barrier(6)
    draws = []

    def one():
        barrier.wait()
        draws.append(rules.draw(room, now=OPENS)["places"])

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(draw == draws[0] for draw in draws)


def test_a_burst_after_a_quiet_spell_is_admitted_at_the_set_rate(any_cache):
    """Places not taken while the line was empty are not saved up: families arriving in a
    burst five minutes after the opening (the opening's email went out) are let in at the
    set rate, not all at once (bench-rush found 288 of 300 let in as they arrived)."""
    room = rush(rate=60)  # 10 every 10 seconds
    for i in range(2):
        rules.join(room, waiter=f"early{i}", now=OPENS - timedelta(minutes=1))
    burst = OPENS + timedelta(minutes=5)
    numbers = [
        rules.join(room, waiter=f"w{i}", now=burst + timedelta(milliseconds=i)) for i in range(30)
    ]
    admitted = [rules.standing(room, n, now=burst + timedelta(seconds=1)).admitted for n in numbers]
    assert admitted == [True] * 10 + [False] * 20
    # The next ten at the next batch, the last ten at the one after; in arrival order.
    waits = [
        rules.standing(room, n, now=burst + timedelta(seconds=1)).wait_seconds for n in numbers
    ]
    assert waits == [0] * 10 + [9] * 10 + [19] * 10
    in_ten = rules.standing(room, numbers[15], now=burst + timedelta(seconds=10))
    assert in_ten.admitted and in_ten.place == 18  # behind the two early arrivals and 15
    assert rules.standing(room, numbers[25], now=burst + timedelta(seconds=1)).ahead == 15


def test_a_batch_part_filled_by_the_lottery_takes_late_arrivals_up_to_the_rate(any_cache):
    room = rush(rate=60)  # 10 every 10 seconds
    for i in range(13):
        rules.join(room, waiter=f"early{i}", now=OPENS - timedelta(minutes=1))
    late = [
        rules.join(room, waiter=f"late{i}", now=OPENS + timedelta(seconds=2)) for i in range(10)
    ]
    # The lottery's 13 fill batch 0 and 3 places of batch 1 (at 10 s): 7 late ones join
    # them there, the other 3 go to batch 2 (at 20 s).
    at = OPENS + timedelta(seconds=10)
    assert [rules.standing(room, n, now=at).admitted for n in late] == [True] * 7 + [False] * 3
    assert all(rules.standing(room, n, now=at + timedelta(seconds=10)).admitted for n in late)


def test_a_burst_of_families_joining_at_once_is_admitted_at_the_set_rate(any_cache):
    room = rush(rate=60)
    rules.join(room, waiter="early", now=OPENS - timedelta(minutes=1))
    burst = OPENS + timedelta(minutes=2)
    numbers = _join_at_once(room, [f"w{i}" for i in range(25)], burst)
    admitted = sum(rules.standing(room, n, now=burst).admitted for n in numbers)
    assert admitted == 10
    later = burst + timedelta(seconds=10)
    assert sum(rules.standing(room, n, now=later).admitted for n in numbers) == 20
