"""The machinery of the bad-input sweep (tests/portal/test_bad_input.py): which parameters a
view reads, which forms a page shows, and a record of the rows each try wrote to prove
nothing changed.

The list of parameters is built, not typed: the forms come from the pages' own HTML, and the
names a view reads directly (`request.GET.get("term")`, `request.POST.getlist("day")`, …)
from the source of its module, so a new field or query parameter is swept without anyone
remembering to add it.
"""

import ast
import copy
import inspect
import re
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.apps import apps
from django.db import connection, transaction

# Text a person types: a bad value there may be a fine name or note, so the sweep asks only
# that it is not a 500. Every other field (hidden, select, radio, number) is chosen from
# the page, and a value the page did not offer must change nothing.
TYPED = {"text", "email", "tel", "password", "search", "url", "date", "textarea"}
# Which button was pressed, or whether a box is ticked: any value means yes.
PRESSED = {"submit", "checkbox"}
TYPED_DEFAULTS = {
    "email": "sweep@example.com",
    "tel": "+12175550100",
    "password": "correct-horse-battery-9",
    "date": "2019-05-04",
    "url": "https://example.com/",
    "textarea": "Hello",
    "search": "",
}
# Where the browser goes next, not data: a bad one is ignored (safe_next), by design.
NOT_DATA = {"next", "csrfmiddlewaretoken"}


@dataclass
class Field:
    name: str
    kind: str
    values: list[str] = field(default_factory=list)  # what the page offers
    default: list[str] = field(default_factory=list)  # what the browser would send
    required: bool = False

    def legit(self, value: str) -> bool:
        """Could the page itself have sent this value?"""
        if value in self.values:
            return True
        return value == "" and not self.required and self.kind not in ("hidden", "select")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)

    def baseline(self) -> dict[str, list[str]]:
        return {name: f.default for name, f in self.fields.items() if f.default}


class FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def _add(self, name, kind, value, *, checked=True, required=False) -> Field:
        found = self._form.fields.setdefault(name, Field(name, kind, required=required))
        found.values.append(value)
        if checked:
            found.default.append(value)
        return found

    def handle_starttag(self, tag, attrs):  # noqa: C901 (one branch per element kind)
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = Form(action, (a.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or (tag != "option" and not a.get("name")):
            return
        name = a.get("name")
        required = "required" in a
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                if kind == "submit" and name:
                    self._add(name, "submit", a.get("value", ""), checked=False)
                return
            value = a.get("value") or ""
            if kind in TYPED and not value:
                value = TYPED_DEFAULTS.get(kind, "Sam")
            if kind == "radio":
                self._add(name, kind, value, checked="checked" in a, required=required)
            elif kind == "checkbox":  # every box ticked: the fullest submission
                self._add(name, kind, a.get("value", "on"), required=required)
            else:
                self._add(name, kind, value, required=required)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._add(name, "submit", a.get("value", ""), checked=False)
        elif tag == "select":
            self._select = Field(name, "select", required=required)
            self._form.fields[name] = self._select
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.values.append(value)
            if "selected" in a or not self._select.default:
                self._select.default = [value]
        elif tag == "textarea":
            self._textarea = self._add(name, "textarea", "Hello", required=required)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(page_url: str, html: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    for form in parser.forms:  # a radio group with nothing checked sends its first value
        for f in form.fields.values():
            if f.kind == "radio" and not f.default:
                f.default = f.values[:1]
    return parser.forms


def _query_dict(node) -> str | None:
    """'GET' or 'POST' when node is request.GET / request.POST."""
    if (
        isinstance(node, ast.Attribute)
        and node.attr in ("GET", "POST")
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    ):
        return node.attr
    return None


def _read_here(tree) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(tree):
        name = which = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr in ("get", "getlist") and (which := _query_dict(node.func.value)):
                name = node.args[0]
        elif isinstance(node, ast.Subscript) and (which := _query_dict(node.value)):
            name = node.slice
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.ops[0], ast.In)
            and (which := _query_dict(node.comparators[0]))
        ):
            name = node.left
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            found.append((which, name.value))
    return found


def _called(function, tree) -> list:
    """Our own functions this one calls: f(...) and module.f(...), through its globals."""
    names = function.__globals__
    called = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Name):
            target = names.get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            owner = names.get(node.func.value.id)
            if inspect.ismodule(owner):
                target = getattr(owner, node.func.attr, None)
        if inspect.isfunction(target) and target.__module__.startswith("springboard."):
            called.append(inspect.unwrap(target))
    return called


def params_read(view) -> dict[str, set[str]]:
    """The names a view reads from request.GET and request.POST, from its source and the
    source of the functions of ours it calls (not its decorators: they read only `next`)."""
    found: dict[str, set[str]] = {"GET": set(), "POST": set()}
    todo, seen = [inspect.unwrap(view)], set()
    while todo:
        function = todo.pop()
        if function in seen:
            continue
        seen.add(function)
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        for which, name in _read_here(tree):
            found[which].add(name)
        todo.extend(_called(function, tree))
    return found


# Apps whose rows a request may well write (a session, an admin log line, a queued task):
# not what the sweep guards.
NOT_GUARDED = {"sessions", "admin", "contenttypes", "django_tasks_db"}
# Every statement that can change a row starts so (Django's SQL, and ours: the raw SQL of
# springboard only reads); the table follows, quoted or not.
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([^\s"(]+)', re.IGNORECASE)


def _models(tables=None) -> list:
    """The models of ours (with the many-to-many tables) whose rows the sweep guards."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in NOT_GUARDED
        and (tables is None or model._meta.db_table in tables)
    ]


class Writes:
    """An execute wrapper (connection.execute_wrapper) noting the tables a statement wrote
    at least one row of: reading every row before and after each of the sweep's thousands
    of tries took minutes; this costs nothing when nothing is written."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if (match := WRITE.match(sql)) and context["cursor"].rowcount > 0:
            self.tables.add(match[1])
        return result

    def guarded(self) -> set[str]:
        ignored = {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in NOT_GUARDED
        }
        return self.tables - ignored


def snapshot(models=None) -> dict[str, list[tuple]]:
    """Every row of the given tables of ours (all of them by default), to compare."""
    rows = {}
    for model in _models() if models is None else models:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*fields))
    return rows


def changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _once(client, method, url, data, watch):
    """One request inside a savepoint that is rolled back, cookies restored after, so every
    try starts from the same world. `watch` is None (rows not checked), a Writes, or the
    models to read before and after; returns (response, tables changed)."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            if isinstance(watch, Writes):
                with connection.execute_wrapper(watch):
                    response = getattr(client, method)(url, data)
                tables = sorted(watch.guarded())
            elif watch is not None:
                before = snapshot(watch)
                response = getattr(client, method)(url, data)
                tables = changed(before, snapshot(watch))
            else:
                response, tables = getattr(client, method)(url, data), []
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response, tables


def send(client, method: str, url: str, data: dict, *, check_rows: bool):
    """One try. Returns (status, tables changed). With check_rows, the statements are
    watched; a try that wrote rows of ours is sent again (the world is the same: rolled
    back) with those tables read before and after, so an UPDATE that left a row as it was
    is no change, exactly as when every row was compared."""
    try:
        watch = Writes() if check_rows else None
        response, tables = _once(client, method, url, data, watch)
        if tables:
            models = _models(set(tables))
            unknown = set(tables) - {model._meta.db_table for model in models}
            response, tables = _once(client, method, url, data, models)
            tables += sorted(unknown)  # a table of no model: written is changed
    except Exception as error:  # the test client re-raises what a view raised: a 500
        return 500, [f"{type(error).__name__}: {error}"[:200]]
    return response.status_code, tables
