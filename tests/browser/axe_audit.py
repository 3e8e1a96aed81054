"""axe-core with the WCAG 2.0–2.2 A/AA rules, and the bookkeeping of which portal pages an
accessibility test has read (tests/browser/test_accessibility.py).

`check_page` in conftest.py fails on serious or critical findings of every axe rule; this
audit runs exactly the WCAG A/AA rule set at every impact, and collects the findings of every
page so one run reports them all.
"""

from urllib.parse import urlsplit

from django.urls import URLPattern, resolve

from springboard.portal import urls as portal_urls

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
    });
    return result.violations.map(v => v.id + " [" + v.impact + "]: " + v.nodes.slice(0, 4).map(
        n => n.target.join(" ") + " (" + n.failureSummary.replace(/\\s+/g, " ") + ")"
    ).join(" | "));
}"""


def portal_url_names() -> set[str]:
    """Every named page of the portal's URLconf (springboard/portal/urls.py)."""
    return {p.name for p in portal_urls.urlpatterns if isinstance(p, URLPattern) and p.name}


class Audit:
    def __init__(self, page):
        self.page = page
        self.findings: dict[str, list[str]] = {}
        self.covered: set[str] = set()

    def check(self, label: str = "") -> None:
        """Runs axe on the page as it is now (a dialog open, errors shown) and notes its URL
        name as covered."""
        page = self.page
        page.wait_for_load_state("load")
        page.mouse.move(0, 0)  # no :hover colour left on the control just clicked
        path = urlsplit(page.url).path
        match = resolve(path)
        if match.namespace == "portal":
            self.covered.add(match.url_name)
        violations = page.evaluate(RUN_AXE, WCAG_TAGS)
        if violations:
            self.findings[f"{path} {label}".strip()] = violations

    def report(self) -> str:
        return "\n".join(
            f"{where}:\n  " + "\n  ".join(found) for where, found in self.findings.items()
        )
