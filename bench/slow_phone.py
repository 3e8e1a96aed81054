"""Benchmark: every main portal page on a slow phone (not a test, not CI).

    make bench-phone               # or: .venv/bin/python bench/slow_phone.py
    PHONE_RUNS=5 PHONE_PAGES=splash,cart make bench-phone
    PHONE_DEMO_SERVER=1 make bench-phone   # the same pages from a DEBUG=1 server, for comparison

Builds a fresh PostgreSQL database (`PHONE_DATABASE_URL`, default `springboard_phone`, copied
from a migrated `springboard_phone_template`) with the demo data (`load_demo`), collects the
static files (WhiteNoise's CompressedManifest storage: hashed, gzip and brotli), serves the
project like production (gunicorn, 2 sync workers, DEBUG=0, `ALLOW_SANDBOX_GATEWAY=1` as a
staging site; uploaded images through Django, `SERVE_MEDIA=1`, as a proxy would) and loads
each page in Debian's chromium (the browser tests' launch arguments) at 390x844 under a
slow-4G emulation through the DevTools protocol: 150 ms round trip, 1.6 Mbit/s down, 750
kbit/s up, CPU slowed 4x. Every load is cold: a new browser context (empty cache) with only
the login's cookies. It prints, per page, the median of `PHONE_RUNS` loads (default 3) of
Largest Contentful Paint and Cumulative Layout Shift (PerformanceObserver), First Contentful
Paint, bytes transferred, and the render-blocking files of the last load.

Aims (issue 16, item 6): LCP <= 2.5 s and CLS <= 0.02 on every page.
"""

import os
import re
import shutil
import statistics
import subprocess  # noqa: S404
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classes_page import environment, free_port, wait_for  # noqa: E402

DATABASE = os.environ.get("PHONE_DATABASE_URL", "postgres://root@localhost:5432/springboard_phone")
CACHE = os.environ.get("PHONE_CACHE_URL", "")  # e.g. redis://127.0.0.1:6379/4
DEMO_SERVER = os.environ.get("PHONE_DEMO_SERVER") == "1"
RUNS = int(os.environ.get("PHONE_RUNS", "3"))
ONLY = [name for name in os.environ.get("PHONE_PAGES", "").split(",") if name]
ACCOUNT = "demo"
EMAIL, PASSWORD = "family@demo.example", "demo-family-2026"
PHONE = {"width": 390, "height": 844}
SLOW_4G = {
    "offline": False,
    "latency": 150,  # ms, round trip
    "downloadThroughput": 200_000,  # bytes/s: 1.6 Mbit/s
    "uploadThroughput": 93_750,  # bytes/s: 750 kbit/s
}
CPU_SLOWDOWN = 4
LCP_AIM, CLS_AIM = 2.5, 0.02

# Recorded from the first byte on (buffered), read after the page has settled.
OBSERVE = """
window.__lcp = 0; window.__lcpWhat = ""; window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__lcp = entry.startTime;
    const el = entry.element;
    window.__lcpWhat = el ? el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.className && typeof el.className === "string"
         ? "." + el.className.trim().split(/\\s+/).slice(0, 2).join(".") : "")
      : entry.url;
  }
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""
READ = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    lcp: window.__lcp, cls: window.__cls, what: window.__lcpWhat,
    fcp: fcp ? fcp.startTime : 0,
    bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    html: nav.transferSize,
    blocking: resources.filter(r => r.renderBlockingStatus === "blocking")
      .map(r => r.name.split("/").pop() + " " + Math.round(r.transferSize / 1024) + " kB"),
  };
}"""


def _with_name(url: str, name: str) -> str:
    return re.sub(r"/[^/]*$", f"/{name}", url)


def fresh_database(env: dict) -> None:
    """A migrated template (migrate is a no-op when nothing changed), copied afresh."""
    name = DATABASE.rsplit("/", 1)[1]
    template = name + "_template"
    admin = _with_name(DATABASE, "postgres")
    psql = ["psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run(["createdb", "--maintenance-db", admin, template], capture_output=True)  # noqa: S603,S607
    manage = [sys.executable, "manage.py"]
    template_env = {**env, "DATABASE_URL": _with_name(DATABASE, template)}
    subprocess.run([*manage, "migrate", "--verbosity", "0"], cwd=ROOT, env=template_env, check=True)  # noqa: S603
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)  # noqa: S603
    subprocess.run([*psql, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "load_demo", "--i-know-this-is-not-production", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )  # noqa: S603


def log_in_and_fill_cart(browser, base: str) -> tuple[dict, dict[str, str]]:
    """The demo family's cookies, with a ProShop item in the cart and a checkout started;
    and the URLs found on the way (a class page, the checkout page)."""
    context = browser.new_context(viewport=PHONE, base_url=base)
    page = context.new_page()
    page.goto(f"/{ACCOUNT}/login/?current=yes")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(rf"/{ACCOUNT}/dashboard/"))
    page.wait_for_load_state("load")
    if page.evaluate("document.querySelector('[data-sb-show-on-load]') !== null"):
        page.locator("#sb-welcome-modal").get_by_role("button", name="Continue").click()
    page.goto(f"/{ACCOUNT}/booking/classes/")
    course = page.locator("a[href*='/booking/classes/']").filter(has_text=re.compile(r"\w"))
    hrefs = [h for h in course.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    class_url = next(h for h in hrefs if re.search(r"/booking/classes/\d+/", h))
    page.goto(f"/{ACCOUNT}/proshop/")
    page.get_by_role("link", name="Team leotard").first.click()
    page.get_by_label(re.compile(r"^M\b")).check()
    page.get_by_label("Quantity").fill("1")
    page.get_by_test_id("add-product").click()
    page.wait_for_url(re.compile(r"/cart/"))
    page.goto(f"/{ACCOUNT}/cart/")
    page.get_by_test_id("checkout").click()
    page.wait_for_url(re.compile(r"/checkout/"))
    checkout_url = page.url.removeprefix(base)
    state = context.storage_state()
    context.close()
    return state, {"class_detail": class_url, "checkout": checkout_url}


def pages(found: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(name, path, logged in)."""
    a = f"/{ACCOUNT}"
    return [
        ("splash", f"{a}/", False),
        ("dashboard", f"{a}/dashboard/", True),
        ("classes", f"{a}/booking/classes/", True),
        ("class detail", found["class_detail"], True),
        ("cart", f"{a}/cart/", True),
        ("checkout", found["checkout"], True),
        ("my account", f"{a}/account/", True),
        ("news", f"{a}/news/", True),
        ("proshop", f"{a}/proshop/", True),
        ("egift", f"{a}/egift-cards/", True),
    ]


def measure(browser, base: str, path: str, state: dict | None) -> dict:
    context = browser.new_context(
        viewport=PHONE, base_url=base, storage_state=state, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )  # fmt: skip
    context.add_init_script(script=OBSERVE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    response = page.goto(path, wait_until="load", timeout=60_000)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_timeout(1500)  # late shifts and a late largest paint still count
    figures = page.evaluate(READ)
    context.close()
    return figures


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    env = environment()
    env.update(
        {
            "DATABASE_URL": DATABASE,
            "PORTAL_BASE_URL": "http://127.0.0.1",
            "SERVE_MEDIA": "1",
            "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "springboard-phone-media"),
            "EMAIL": "console",
        }
    )
    env.pop("CACHE_URL", None)
    if CACHE:
        env["CACHE_URL"] = CACHE
    os.environ.update(env)
    print("building the demo database and static files …", flush=True)
    fresh_database(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_env = dict(env)
    if DEMO_SERVER:  # what `make demo` serves: DEBUG=1, static files unhashed and uncompressed
        server_env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"})
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2",
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120",
        ],
        cwd=ROOT,
        env=server_env,
    )  # fmt: skip
    results: dict[str, list[dict]] = {}
    try:
        wait_for(base + f"/{ACCOUNT}/")
        with sync_playwright() as playwright:
            executable = shutil.which("chromium")
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            state, found = log_in_and_fill_cart(browser, base)
            chosen = [p for p in pages(found) if not ONLY or p[0] in ONLY]
            for name, path, logged_in in chosen:
                measure(browser, base, path, state if logged_in else None)  # warm the server
                results[name] = [
                    measure(browser, base, path, state if logged_in else None)
                    for _run in range(RUNS)
                ]
                print(f"  {name}: done", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results)


def report(results: dict[str, list[dict]]) -> None:
    load = os.getloadavg()[0]
    print(
        f"\nslow 4G (150 ms, 1.6 Mbit/s down, 750 kbit/s up), CPU x{CPU_SLOWDOWN}, 390x844, "
        f"cold cache; median of {RUNS}; load average {load:.1f}"
        f"{'; DEBUG=1 demo server' if DEMO_SERVER else ''}\n"
    )
    print(
        f"{'page':<14} {'LCP s':>6} {'CLS':>6} {'FCP s':>6} {'kB':>6} {'HTML kB':>7}  LCP element"
    )
    failed = []
    for name, runs in results.items():
        lcp = statistics.median(r["lcp"] for r in runs) / 1000
        cls = statistics.median(r["cls"] for r in runs)
        fcp = statistics.median(r["fcp"] for r in runs) / 1000
        kilobytes = statistics.median(r["bytes"] for r in runs) / 1024
        html = statistics.median(r["html"] for r in runs) / 1024
        mark = "" if lcp <= LCP_AIM and cls <= CLS_AIM else "  <-- over the aim"
        if mark:
            failed.append(name)
        print(
            f"{name:<14} {lcp:>6.2f} {cls:>6.3f} {fcp:>6.2f} {kilobytes:>6.0f} {html:>7.1f}  "
            f"{runs[-1]['what']}{mark}"
        )
    blocking = {b for runs in results.values() for b in runs[-1]["blocking"]}
    print("\nrender-blocking files:", ", ".join(sorted(blocking)) or "none")
    print(
        f"aims: LCP <= {LCP_AIM} s, CLS <= {CLS_AIM}:",
        "met" if not failed else f"not met on {', '.join(failed)}",
    )


if __name__ == "__main__":
    main()
