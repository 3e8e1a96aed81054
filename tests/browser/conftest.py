"""Browser journeys: Playwright for Python driving Debian's chromium at phone size.

Every page a journey visits is checked with `check_page`: axe-core finds no serious or
critical violation, nothing scrolls sideways at 390 px, and the CSP was never violated.

Journeys wait for states (`expect(...)`), never peek: a page is read only after a wait that
proves the page meant has arrived, and no one-off `is_visible()` or `count()` picks a branch
before such a wait. `log_in` and `close_welcome` below are the one way journeys get past the
login form and Welcome Information.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen
# in their own thread, and the test's own ORM calls are synchronous by design.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        message = "Debian's chromium is not on PATH (make test installs it where apt-get may run)"
        if os.environ.get("SPRINGBOARD_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PhonePage:
    """A page at 390x844 that records console CSP errors for check_page."""

    def __init__(self, browser, base_url: str):
        # Reduced motion: Bootstrap then skips its CSS transitions, which run on the real clock
        # and would leave a half-faded slide or modal for axe to read.
        self.context = browser.new_context(
            viewport=PHONE, base_url=base_url, reduced_motion="reduce"
        )
        self.context.add_init_script(script=CSP_LISTENER)
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def check_page(self) -> None:
        """Checks the page once any navigation the last click started has finished."""
        from playwright.sync_api import Error as PlaywrightError

        for attempt in range(3):
            try:
                self.page.wait_for_load_state("load")
                self._check_loaded_page()
                return
            except PlaywrightError as error:
                # A click's navigation that began after wait_for_load_state returned destroys
                # the page the checks were reading; read the new page instead.
                if "context was destroyed" not in str(error) or attempt == 2:
                    raise

    def _check_loaded_page(self) -> None:
        page = self.page
        # Park the pointer: the control just clicked keeps its :hover colour (a lighter toolbar
        # button fails contrast) until an overlay happens to cover it — a race axe would read.
        page.mouse.move(0, 0)
        csp = page.evaluate("window.__cspViolations || []")
        console_csp = [m for m in self.console_errors if "Content Security Policy" in m]
        assert not csp and not console_csp, (page.url, csp, console_csp)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 390px"
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations
                  .filter(v => v.impact === "serious" || v.impact === "critical")
                  .map(v => v.id + ": " + v.nodes.slice(0, 3).map(
                    n => n.target.join(" ") + " (" + n.failureSummary + ")").join(", "));
            }"""
        )
        assert not violations, (page.url, violations)


def welcome_dialog(page):
    """Welcome Information while it is open (Bootstrap gives it role=dialog only then)."""
    return page.locator("#sb-welcome-modal").and_(page.get_by_role("dialog"))


def expect_welcome_open(page):
    """Waits until Welcome Information is open and ready to be closed, and returns it.

    Bootstrap ignores Continue and Escape until its show transition has finished (even with
    reduced motion it finishes on a timer), and it marks the end by focusing the dialog.
    """
    welcome = welcome_dialog(page)
    expect(welcome).to_be_visible()
    expect(welcome).to_be_focused()
    return welcome


def expect_no_modal(page) -> None:
    """Waits until no modal covers the page: Bootstrap takes `modal-open` off the body last,
    after the dialog and its backdrop are gone."""
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bmodal-open\b"))


def close_welcome(page) -> None:
    """Closes Welcome Information if this dashboard shows it, once the page has settled.

    Call it after a wait proving the dashboard meant has arrived (its URL or a heading). The
    server marks the dialog `data-sb-show-on-load` on a visit's first arrival and portal.js
    opens it on DOMContentLoaded, so once the page has loaded either the dialog is (about to
    be) open or the page carries no mark and it never will be: wait for one of the two.
    """
    page.wait_for_load_state("load")
    welcome = welcome_dialog(page)
    none_coming = page.locator("body:not(:has([data-sb-show-on-load]))")
    expect(welcome.or_(none_coming)).to_be_visible()
    # The server's mark decides (markup it rendered, read after the wait): no peek at a state
    # that is still changing.
    if page.evaluate("document.querySelector('[data-sb-show-on-load]') !== null"):
        expect_welcome_open(page).get_by_role("button", name="Continue").click()
        expect(welcome).to_be_hidden()
    expect_no_modal(page)


def show_only_openings(page, label: str = "Only classes with openings") -> None:
    """Ticks "Only classes with openings" on a classes list and waits for the narrowed list.

    The box narrows the list through htmx, which listens only once the page has loaded: a tick
    on a page whose scripts have not run yet (a click's navigation has just committed) is lost.
    """
    page.wait_for_load_state("load")
    page.get_by_label(label).check()
    expect(page).to_have_url(re.compile(r"openings=on"))


def log_in(phone: PhonePage, email: str, password: str, *, account: str = "demo") -> None:
    """Logs in as a current customer; lands on the dashboard with Welcome Information closed
    and the page checked."""
    page = phone.page
    page.goto(f"/{account}/login/?current=yes")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/{account}/dashboard/"))
    close_welcome(page)
    phone.check_page()


@pytest.fixture
def phone(browser, live_server):
    phone_page = PhonePage(browser, live_server.url)
    yield phone_page
    phone_page.context.close()
