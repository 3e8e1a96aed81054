"""Querysets compiled once per process, run with new values each time (issue 17, item 3).

Profiling the booking path showed that *building* a query is what costs, not running it: the
course page's read of one course with its openings (seven correlated subqueries from the
openings registry) took ~10 ms of CPU to build and compile and ~1 ms to run. A `Prepared`
query is built from an ordinary queryset function, `build(**values)`, and compiled once per
process; each call binds the values into the compiled SQL and runs it through Django's own
iterables (model instances with their `select_related` rows and annotations, `values_list`
tuples, `prefetch_related` lookups), so what comes back is what `list(build(**values))` gives.

How values are found in the compiled SQL: `build` runs twice with two sets of sentinel values
(and, inside an organization scope, two sentinel organizations: a tenant manager's filter is
a value like any other). The two compilations must have the same SQL; a parameter that
differs between them must be a sentinel, and becomes that value's slot. Anything else (a
value derived from one, e.g. `now - timedelta(...)` or `now.date()`, or SQL that depends on a
value) is refused at the first call (`NotPreparable`, logged as an error): such a build is then
run through the ORM every time, as before (`compiled()` says whether a read was prepared).

Values may be `int`, aware `datetime`, `date`, `str` (compared as it is: an exact lookup) or
a tuple of ints (compiled once per length; callers pad, as `padded` does). The compiled SQL is
kept per database connection, language (a translated field's lookups follow it), organization
scope kind (an organization, scopes disabled) and the caller's `key()` (e.g. the contents of
a registry the build reads).
"""

import copy
import functools
import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable
from django.utils.translation import get_language
from django_scopes import get_scope, scope, scopes_disabled

_ORGANIZATION = "__organization__"
ORM = object()  # a build that could not be prepared: run through the ORM
log = logging.getLogger(__name__)


class NotPreparable(Exception):
    """The build's SQL does not take its values as plain parameters."""


def _sentinel(value, number: int, which: int):
    if isinstance(value, bool):
        raise TypeError(
            "a prepared value is an int, an aware datetime, a date, a str or a tuple of ints"
        )
    if isinstance(value, int):
        return (
            -(1_000_000_007 + 7919 * number) if which == 0 else -(1_900_000_011 + 104_729 * number)
        )
    if isinstance(value, datetime):
        if which == 0:
            return datetime(1971, 3, 4, 5, 6, 7, 100_003 + number, tzinfo=UTC)
        return datetime(1983, 9, 10, 14, 25, 36, 700_001 + number, tzinfo=UTC)
    if isinstance(value, str):
        # Only an exact match passes as it is (a lookup that wraps it, e.g. `__contains`'s
        # "%…%", is a derived value: NotPreparable).
        return f"\x1fprepared-{which}-{number}\x1f"
    if isinstance(value, date):
        start = date(1901, 2, 3) if which == 0 else date(1907, 8, 9)
        return start + timedelta(days=(37 if which == 0 else 53) * number)
    raise TypeError(
        "a prepared value is an int, an aware datetime, a date, a str or a tuple of ints"
    )


def _is_date(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _flatten(values: dict) -> list[tuple[tuple, Any]]:
    """[((name, index or None), value)] for every value and every member of a tuple."""
    flat = []
    for name, value in values.items():
        if isinstance(value, tuple):
            flat.extend(((name, index), member) for index, member in enumerate(value))
        else:
            flat.append(((name, None), value))
    return flat


def _shape(values: dict) -> tuple:
    return tuple(
        (name, len(value) if isinstance(value, tuple) else type(value).__name__)
        for name, value in sorted(values.items())
    )


def _scope_kind():
    """("organization", its id), ("off", None) or None (a case left to the ORM)."""
    current = get_scope()
    if not current.get("_enabled", True):
        return "off", None
    organization = current.get("organization")
    if organization is None or isinstance(organization, (list, tuple)):
        return None
    return "organization", getattr(organization, "pk", organization)


def preparing_cursor(connection):
    """A cursor whose statements PostgreSQL parses and plans once per connection: a prepared
    read's SQL is the same on every call, so psycopg binds its values on the server and keeps
    it as a prepared statement (Django's own cursors inline the values and prepare nothing,
    so the planner plans every call again: ~0.4 ms of the openings read's ~0.6 ms, docs/
    performance.md, "Prepared on the server"). The cursor is Django's wrapper as any other
    (execute wrappers, query logging, errors). PREPARED_STATEMENTS = False (a connection
    pooler that cannot keep them) or another database: Django's cursor."""
    if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))


class _Preparing:
    """A connection as a prepared read's compiler sees it: the same in all but its cursors,
    which prepare (preparing_cursor)."""

    def __init__(self, connection):
        self._connection = connection

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def cursor(self):
        return preparing_cursor(self._connection)


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            # Django opens connections with psycopg's preparing switched off (None: for
            # poolers); switched on for this statement only, at a threshold no other query
            # reaches, so nothing else is prepared by being run often.
            connection = self.connection
            before = connection.prepare_threshold
            if before is None:
                connection.prepare_threshold = 2**31
            try:
                return super().execute(query, params, prepare=True, binary=binary)
            finally:
                connection.prepare_threshold = before

    return PreparingCursor


class _Compiled:
    def __init__(self, template: QuerySet, compiler, sql: str, params: tuple, slots: list):
        self.template = template
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots  # [(position, key, adapt)]
        # The columns' converters, which Django works out again on every run by asking each
        # selected column (a few hundred for a wide select_related): the same columns every
        # time, so once (the converters take the run's connection as an argument).
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(columns)
        # A values_list's rows are the cursor's, converted (what compiler.results_iter does
        # for it when the select has no extra columns and no composite field).
        self.direct = (
            template._iterable_class is ValuesListIterable
            and not template.query.extra_select
            and not compiler.has_composite_fields(columns)
        )


class Prepared:
    """`Prepared(build)(**values)`: the list `build(**values)` would give, from SQL compiled
    once per process (see the module's docstring)."""

    def __init__(self, build: Callable[..., QuerySet], *, key: Callable[[], Any] | None = None):
        self.build = build
        self.key = key or (lambda: None)
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def __call__(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        bound = self._bind(using, values)
        if bound is None:
            return list(self.build(**values))
        compiled, sql, params = bound
        compiler = copy.copy(compiled.compiler)
        compiler.connection = _Preparing(connections[using])  # this thread's connection
        compiler.using = using
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        converters = compiled.converters
        compiler.get_converters = lambda expressions: converters
        queryset = compiled.template.all()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        """The tuples of a `values_list` build, straight from the cursor: what `__call__`
        gives, without a queryset to clone and iterate (half the CPU of a small read,
        docs/performance.md, "The classes page kept"). Other builds: `__call__`'s rows."""
        bound = self._bind(using, values)
        if bound is None:
            return [tuple(row) for row in self.build(**values)]
        if not bound[0].direct:
            return [tuple(row) for row in self(using=using, **values)]
        compiled, sql, params = bound
        connection = connections[using]
        with preparing_cursor(connection) as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if not compiled.converters:
            return found
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection
        return [tuple(row) for row in compiler.apply_converters(found, compiled.converters)]

    def _bind(self, using: str, values: dict):
        """(compiled, SQL, this call's parameters), or None: run through the ORM."""
        kind = _scope_kind()
        if kind is None:
            return None
        connection = connections[using]
        cache_key = (using, connection.vendor, get_language(), kind[0], _shape(values), self.key())
        compiled = self._compiled.get(cache_key)
        if compiled is None:
            try:
                compiled = self._compile(connection, kind[0], values)
            except NotPreparable:
                # Never a failed page: the same query through the ORM, built every time.
                log.exception("not prepared: %s", getattr(self.build, "__qualname__", self.build))
                compiled = ORM
            with self._lock:
                self._compiled[cache_key] = compiled
        if compiled is ORM:
            return None
        bound = dict(_flatten(values))
        if kind[0] == "organization":
            bound[(_ORGANIZATION, None)] = kind[1]
        params = list(compiled.params)
        for position, slot, adapt in compiled.slots:
            params[position] = adapt(bound[slot]) if adapt else bound[slot]
        return compiled, compiled.sql, params

    def _build(self, kind: str, values: dict, organization: int | None) -> QuerySet:
        if kind == "off":
            with scopes_disabled():
                return self.build(**values)
        with scope(organization=organization):
            return self.build(**values)

    def _compile(self, connection, kind: str, values: dict) -> _Compiled:
        flat = _flatten(values)
        sentinels = []
        for which in (0, 1):
            chosen = {}
            for number, (slot, value) in enumerate(flat):
                chosen[slot] = _sentinel(value, number, which)
            organization = _sentinel(0, len(flat), which)
            chosen[(_ORGANIZATION, None)] = organization
            sentinels.append(chosen)
        built = []
        for chosen in sentinels:
            rebuilt = {}
            for (name, index), value in chosen.items():
                if name == _ORGANIZATION:
                    continue
                if index is None:
                    rebuilt[name] = value
                else:
                    rebuilt[name] = (*rebuilt.get(name, ()), value)
            queryset = self._build(kind, rebuilt, chosen[(_ORGANIZATION, None)])
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            built.append((queryset, compiler, sql, tuple(params)))
        (queryset, compiler, sql, params), (_q, _c, other_sql, other_params) = built
        if sql != other_sql or len(params) != len(other_params):
            raise NotPreparable("the SQL depends on the values")
        adapt_datetime = connection.ops.adapt_datetimefield_value
        adapt_date = connection.ops.adapt_datefield_value
        forms = [(None, lambda v: v), (adapt_datetime, adapt_datetime), (adapt_date, adapt_date)]
        slots = []
        for position, (first, second) in enumerate(zip(params, other_params, strict=True)):
            if type(first) is type(second) and first == second:
                continue  # a constant of the query
            for slot, value in sentinels[0].items():
                found = next(
                    (
                        adapt
                        for adapt, form in forms
                        if (
                            adapt is None
                            or (adapt is adapt_datetime and isinstance(value, datetime))
                            or (adapt is adapt_date and _is_date(value))
                        )
                        and form(value) == first
                        and form(sentinels[1][slot]) == second
                    ),
                    False,
                )
                if found is not False:
                    slots.append((position, slot, found))
                    break
            else:
                raise NotPreparable(f"parameter {position} is derived from a value")
        return _Compiled(queryset, compiler, sql, params, slots)


def padded(ids, *, sizes=(1, 2, 4, 8, 16, 32)) -> tuple[int, ...] | None:
    """The ids as a tuple of one of a few lengths (repeating the last), so a prepared
    `pk__in` query is compiled for a handful of lengths; None when there are more."""
    ids = tuple(sorted(set(ids)))
    if not ids:
        return ()
    for size in sizes:
        if len(ids) <= size:
            return ids + (ids[-1],) * (size - len(ids))
    return None


def compiled(prepared: Prepared) -> list[bool]:
    """For each compilation kept so far: True if prepared, False if left to the ORM."""
    return [value is not ORM for value in prepared._compiled.values()]
