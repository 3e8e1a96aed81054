"""Static files as production serves them (docs/performance.md, "Fast on a slow phone"):
hashed names cached for a year by browsers, everything else briefly; compressed copies; and
the Bootstrap subset the pages load is the one built from today's templates."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tools import bootstrap_subset

PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "springboard.core.staticfiles.ManifestStorage"},  # production's
}
YEAR = 365 * 24 * 3600


def test_the_bootstrap_subset_is_built_from_the_current_templates():
    committed = bootstrap_subset.TARGET.read_text(encoding="utf-8")
    assert committed == bootstrap_subset.build(), (
        "a template, script or form uses a Bootstrap class the subset lacks (or no longer "
        "uses one): run `make bootstrap-subset` and commit the file"
    )


def test_the_subset_keeps_what_the_chrome_and_bootstraps_scripts_need():
    css = bootstrap_subset.TARGET.read_text(encoding="utf-8")
    for selector in (".offcanvas", ".modal-backdrop", ".dropdown-menu.show", ".carousel-item"):
        assert selector in css
    assert ".accordion-button" not in css  # no page has an accordion
    assert len(css) < bootstrap_subset.SOURCE.stat().st_size / 2


@pytest.fixture
def collected(tmp_path):
    with override_settings(
        STATIC_ROOT=tmp_path / "static",
        STORAGES=PRODUCTION_STATIC,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        DEBUG=False,
    ):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield


def test_hashed_static_files_are_cached_for_a_year_compressed(collected):
    from django.templatetags.static import static

    client = Client()  # a new handler: WhiteNoise reads the collected files
    url = static("vendor/bootstrap/bootstrap.subset.min.css")
    assert url != "/static/vendor/bootstrap/bootstrap.subset.min.css"  # a hashed name
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert f"max-age={10 * YEAR}" in cache_control or f"max-age={YEAR}" in cache_control
    assert "immutable" in cache_control and "public" in cache_control
    assert response["Content-Encoding"] in ("br", "gzip")


def test_unhashed_names_are_cached_briefly(collected):
    response = Client().get("/static/vendor/bootstrap/bootstrap.subset.min.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    max_age = int(response["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert max_age <= 3600


def test_a_static_url_worked_out_once_is_the_manifests_and_follows_debug(collected):
    from springboard.core.staticfiles import ManifestStorage

    storage, name = ManifestStorage(), "portal/portal.css"
    hashed = storage.url(name)
    assert hashed != f"/static/{name}" and hashed.endswith(".css")
    assert storage.url(name) == hashed == ManifestStorage().url(name)
    with override_settings(DEBUG=True):  # the demo's unhashed names, never the kept one
        assert storage.url(name) == f"/static/{name}"
    assert storage.url(name) == hashed
