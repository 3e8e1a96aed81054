"""The dependency ladder of docs/architecture.md holds: domain apps import only apps below them.

core ← tenancy ← families, content, catalog ← shop ← booking, billing ← attendance, giftcards ←
checkout ← portal, api, demo. (giftcards puts eGift Cards in the cart and moves a card to credit:
docs/shop.md.)
A change that makes a lower app import a higher one fails here, naming the file.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "springboard"

# app -> the apps it may import
ALLOWED = {
    "core": set(),
    "tenancy": {"core"},
    "families": {"core", "tenancy"},
    "content": {"core", "tenancy"},
    "catalog": {"core", "tenancy", "content"},
    # shop is on booking's rung; booking imports shop (its holds of units), never the
    # other way round: shop learns of holds through stock.UNITS_HELD (docs/shop.md).
    "shop": {"core", "tenancy", "families", "content", "catalog"},
    "booking": {"core", "tenancy", "families", "content", "catalog", "shop"},
    "billing": {"core", "tenancy", "families", "content", "catalog"},
    # The waiting room (docs/booking.md) knows terms; portal gates booking with it.
    "waitingroom": {"core", "tenancy", "families", "content", "catalog"},
    # Absences and makeups (docs/booking.md): above booking (enrollments, the course lock),
    # below checkout and portal, which may show or use them.
    "attendance": {"core", "tenancy", "families", "content", "catalog", "booking", "shop"},
    "giftcards": {
        "core",
        "tenancy",
        "families",
        "content",
        "catalog",
        "booking",
        "billing",
        "shop",
    },
    "checkout": {
        "core",
        "tenancy",
        "families",
        "content",
        "catalog",
        "booking",
        "billing",
        "shop",
        "giftcards",
        "attendance",
    },
    "tuition": {
        "core",
        "tenancy",
        "families",
        "content",
        "catalog",
        "booking",
        "billing",
        "shop",
        "giftcards",
        "checkout",
        "attendance",
    },
    # The JSON API sits beside portal at the top: it calls the same services and never the
    # portal's views (a rule both need lives below them: docs/api.md).
    "api": {
        "core",
        "tenancy",
        "families",
        "content",
        "catalog",
        "booking",
        "billing",
        "shop",
        "giftcards",
        "checkout",
        "tuition",
        "waitingroom",
        "attendance",
    },
}


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "springboard" and len(parts) > 1:
                apps.add(parts[1])
    return apps


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_apps_below_it(app):
    offending = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        extra = _imported_apps(path) - ALLOWED[app] - {app}
        if extra:
            offending.append(f"{path.relative_to(ROOT)} imports {sorted(extra)}")
    assert not offending, offending
