"""The Spanish catalogue is complete and sound (docs/i18n.md).

- every string of the portal (templates and Python) has a Spanish translation: makemessages
  runs over a copy of the sources into a copy of the committed django.po, and no msgid may come
  out missing, empty or fuzzy — a new or changed string without Spanish fails here, named;
- every translation keeps its msgid's placeholders exactly (%(name)s, {name}, %%);
- the committed django.mo is the compiled django.po (a fresh clone speaks Spanish without
  gettext installed).
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sdif]|%%|%[sd]|\{[A-Za-z_0-9]*\}")


def _ignore_patterns() -> list[str]:
    """The Makefile's MESSAGES_IGNORE, so `make messages` and this test skip the same files."""
    line = next(
        line
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line.startswith("MESSAGES_IGNORE")
    )
    return [part.removeprefix("--ignore=") for part in line.split(":=", 1)[1].split()]


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="gettext tools are not installed")
def test_every_portal_string_has_a_spanish_translation(tmp_path, settings, monkeypatch):
    for folder in ("springboard", "templates", "config"):
        shutil.copytree(
            ROOT / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns("migrations", "__pycache__", "*.pyc", "*.png", "*.jpg"),
        )
    (tmp_path / "locale" / "es" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["es"],
        no_location=True,
        ignore_patterns=_ignore_patterns(),
        verbosity=0,
    )
    catalog = _catalog(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert missing == [], (
        "Strings without a Spanish translation (run `make messages`, then translate them in "
        f"locale/es/LC_MESSAGES/django.po): {missing}"
    )


def test_translations_keep_every_placeholder_of_their_msgid():
    wrong = []
    for message in _catalog(PO):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for number, translated in enumerate(strings):
            original = ids[min(number, len(ids) - 1)]
            expected = sorted(set(PLACEHOLDER.findall(ids[-1]) + PLACEHOLDER.findall(original)))
            if sorted(set(PLACEHOLDER.findall(translated))) != expected and translated:
                # A singular may name its count in words ("1 lugar"): only the plural must
                # carry every placeholder of the plural msgid.
                if len(ids) > 1 and number == 0:
                    continue
                wrong.append((original, translated))
    assert wrong == []


def test_no_translation_is_empty_or_fuzzy_and_plural_forms_are_right():
    catalog = _catalog(PO)
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        if isinstance(message.id, tuple):
            assert len(message.string) == 2 and all(message.string), message.id
        else:
            assert message.string, message.id


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext tools are not installed")
def test_the_committed_mo_is_the_compiled_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == MO.read_bytes(), (
        "locale/es/LC_MESSAGES/django.mo is stale: run `make messages`"
    )
