"""Build static/vendor/bootstrap/bootstrap.subset.min.css: the rules of Bootstrap's CSS that
our pages can use.

    make bootstrap-subset          # after adding a Bootstrap class to a template

The full upstream file (bootstrap.min.css, 5.3.8, untouched) is the source. A rule is kept
when one of its selectors names only classes that appear as a word somewhere we write
markup or add classes: the templates, our Python (form widgets' classes), our JavaScript and
Bootstrap's own JavaScript (the classes it adds: show, fade, modal-backdrop, …). Selectors
without classes (elements, :root variables, attributes), classes inside :not()/:is() and
every @keyframes are kept; @media/@supports blocks are filtered the same way inside.
Over-keeping is harmless (a few bytes); under-keeping would lose a style, so the scan is by
word, not by parsing markup. tests/test_static_assets.py fails when the committed file is not
what this script builds from the current templates.
"""

import re
import sys
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor" / "bootstrap"
SOURCE = VENDOR / "bootstrap.min.css"
TARGET = VENDOR / "bootstrap.subset.min.css"
SCANNED = [
    "templates/**/*.html",
    "springboard/**/*.py",
    "static/portal/*.js",
    "static/*_gateway/*.js",
    "static/vendor/bootstrap/bootstrap.bundle.min.js",
]
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def used_words() -> set[str]:
    words: set[str] = set()
    for pattern in SCANNED:
        for path in sorted(ROOT.glob(pattern)):
            if "migrations" in path.parts:
                continue
            words.update(WORD.findall(path.read_text(encoding="utf-8")))
    return words


def _selectors(prelude):
    selector: list = []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            yield selector
            selector = []
        else:
            selector.append(token)
    yield selector


def _classes(selector) -> set[str]:
    """Classes of the selector's own compound parts (not those inside :not() and the like)."""
    found = set()
    for before, token in zip(selector, selector[1:], strict=False):
        if before.type == "literal" and before.value == "." and token.type == "ident":
            found.add(token.value)
    return found


def _strip(tokens):
    """The selector without leading/trailing whitespace tokens."""
    while tokens and tokens[0].type == "whitespace":
        tokens = tokens[1:]
    while tokens and tokens[-1].type == "whitespace":
        tokens = tokens[:-1]
    return tokens


def _filter(rules, words: set[str]) -> str:
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            kept = [
                tinycss2.serialize(_strip(s))
                for s in _selectors(rule.prelude)
                if _classes(s) <= words
            ]
            if kept:
                out.append(",".join(kept) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule":
            head = "@" + rule.at_keyword + tinycss2.serialize(rule.prelude)
            if rule.content is None:
                out.append(head + ";")
            elif rule.lower_at_keyword in ("media", "supports", "container", "layer"):
                inner = _filter(
                    tinycss2.parse_rule_list(
                        rule.content, skip_comments=True, skip_whitespace=True
                    ),
                    words,
                )
                if inner:
                    out.append(head.rstrip() + "{" + inner + "}")
            else:  # keyframes, font-face, page: kept whole
                out.append(head.rstrip() + "{" + tinycss2.serialize(rule.content) + "}")
    return "".join(out)


def build() -> str:
    source = SOURCE.read_text(encoding="utf-8")
    banner = re.search(r"/\*!.*?\*/", source, re.DOTALL)[0]
    rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    rules = [r for r in rules if not (r.type == "at-rule" and r.lower_at_keyword == "charset")]
    note = (
        "/* Subset of bootstrap.min.css: only the rules our templates and scripts can use. "
        "Built by tools/bootstrap_subset.py (make bootstrap-subset); do not edit. */"
    )
    return '@charset "UTF-8";' + banner + note + _filter(rules, used_words()) + "\n"


def main() -> None:
    built = build()
    TARGET.write_text(built, encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(built):,} bytes (from {SOURCE.stat().st_size:,})")


if __name__ == "__main__":
    sys.exit(main())
