"""One clock (docs/architecture.md, "Time"): only entry points read it.

Views (and the admin's forms, which are views), management commands, tasks and
`springboard/core/clock.py` may read the clock; every rule below them takes the `now` (or
`today`) it is given. A rule that reads the clock itself fails here, naming the file and line.
Record timestamps written by the database's bookkeeping (`auto_now_add`, a field default)
are not reads by a rule and are not calls, so they are not caught.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "springboard"

# (module or object name, attribute) pairs whose call reads the clock.
CLOCK_CALLS = {
    ("timezone", "now"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("time", "time"),
    ("clock", "now"),
}


def _may_read_the_clock(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    parts = relative.parts
    return (
        relative == Path("core/clock.py")
        or "views" in parts
        or path.name in {"views.py", "admin.py", "tasks.py"}
        or "commands" in parts
    )


def _clock_calls(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, func.attr) in CLOCK_CALLS:
                found.append(f"{path.relative_to(root)}:{node.lineno} {name}.{func.attr}()")
            # timezone.localtime() and localdate() with no moment read the clock too.
            no_moment = not node.args and not node.keywords
            if name == "timezone" and func.attr in {"localtime", "localdate"} and no_moment:
                found.append(f"{path.relative_to(root)}:{node.lineno} timezone.{func.attr}()")
    return found


def test_only_views_commands_and_tasks_read_the_clock():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts or _may_read_the_clock(path):
            continue
        offenders += _clock_calls(path)
    assert not offenders, "rules must take `now` from their caller:\n" + "\n".join(offenders)


def test_the_check_finds_a_rule_that_reads_the_clock(tmp_path):
    rule = tmp_path / "rule.py"
    rule.write_text(
        "from django.utils import timezone\n"
        "def is_open(term):\n"
        "    return term.opens_at <= timezone.now()\n"
        "def today():\n"
        "    return timezone.localtime().date()\n"
    )
    assert len(_clock_calls(rule, root=tmp_path)) == 2
