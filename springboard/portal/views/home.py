"""The family-facing pages of the foundation: portal index, splash, dashboard, news, staff."""

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from springboard.content.models import NewsItem, StaffProfile
from springboard.portal.forms import ChooseLocationForm
from springboard.portal.money_context import dashboard_money
from springboard.tenancy.models import Organization
from springboard.tenancy.services import choose_location as remember_location

NEWS_PER_PAGE = 10
WELCOME_SEEN_KEY = "welcome-seen:{}"


def portal_url(request, name: str, *args) -> str:
    return reverse(f"portal:{name}", args=[request.organization.account_name, *args])


@require_GET
def portal_index(request):
    """`/` lists the portals, or goes straight to the only one."""
    organizations = list(Organization.objects.filter(is_active=True).only("name", "account_name"))
    if len(organizations) == 1:
        return redirect("portal:splash", account=organizations[0].account_name)
    return render(request, "portal/index.html", {"organizations": organizations})


@require_GET
def splash(request):
    items = list(
        NewsItem.objects.for_organization(request.organization)
        .current(request.now)
        .filter(show_on_splash=True)
    )
    return render(request, "portal/splash.html", {"slides": items})


@require_GET
def dashboard(request):
    settings = request.organization.portal_settings
    show_welcome = False
    if settings.welcome_enabled:
        # Once per browser session: the first arrival shows it; later arrivals (logging in
        # included, since login keeps the session's data) leave it closed until asked for.
        key = WELCOME_SEEN_KEY.format(request.organization.pk)
        show_welcome = not request.session.get(key, False)
        request.session[key] = True
    context = {"show_welcome": show_welcome, **dashboard_money(request)}
    return render(request, "portal/dashboard.html", context)


@require_GET
def news_list(request):
    items = NewsItem.objects.for_organization(request.organization).current(request.now)
    page = Paginator(items, NEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/news_list.html", {"page": page})


@require_GET
def news_detail(request, news_id: int):
    item = get_object_or_404(
        NewsItem.objects.for_organization(request.organization).current(request.now), pk=news_id
    )
    return render(request, "portal/news_detail.html", {"item": item})


@require_GET
def staff_page(request):
    if not request.organization.portal_settings.staff_page_enabled:
        raise Http404("The staff page is switched off")
    profiles = StaffProfile.objects.for_organization(request.organization).filter(is_visible=True)
    return render(request, "portal/staff_page.html", {"profiles": profiles})


@require_POST
def choose_location(request):
    form = ChooseLocationForm(request.POST, organization=request.organization)
    if not form.is_valid():
        raise Http404("No such location")
    remember_location(
        request.session, organization=request.organization, location=form.cleaned_data["location"]
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = portal_url(request, "dashboard")
    return HttpResponseRedirect(next_url)


def _error(request, template: str, status: int):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, "portal/errors/400.html", 400)


def forbidden(request, exception=None):
    return _error(request, "portal/errors/403.html", 403)


def not_found(request, exception=None):
    return _error(request, "portal/errors/404.html", 404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the portal's look and the visitor's language, not Django's page."""
    return _error(request, "portal/errors/csrf.html", 403)


def server_error(request):
    # No context processors: whatever broke (the database, say) must not break this page too.
    return HttpResponseServerError(loader.get_template("portal/errors/500.html").render())
