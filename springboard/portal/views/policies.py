"""The policy screen (the gate), what a family agreed to, and reading one policy."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from springboard.families.models import Policy, PolicyKind
from springboard.families.policies import (
    PolicyError,
    agreements_of,
    pending_items,
    record_answers,
)
from springboard.portal.account_forms import PolicyAnswersForm
from springboard.portal.views.family_access import client_ip, family_required, safe_next


@require_http_methods(["GET", "POST"])
@family_required
def policies(request):
    family = request.family
    items = pending_items(family)
    if not items:
        return HttpResponseRedirect(safe_next(request))
    form = PolicyAnswersForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        answers = {item.key: bool(form.cleaned_data.get(item.key)) for item in items}
        try:
            record_answers(
                family=family,
                user=request.user,
                answers=answers,
                signature=form.cleaned_data["signature"],
                ip_address=client_ip(request),
                now=request.now,
            )
        except PolicyError as error:
            form.add_error(None, str(error))
        else:
            return HttpResponseRedirect(safe_next(request))
    return render(
        request,
        "portal/accounts/policies.html",
        {"form": form, "next": safe_next(request, "")},
    )


def _agreed(request, kind: str, template: str):
    return render(
        request,
        template,
        {"agreements": list(agreements_of(request.family, kind=kind))},
    )


@require_GET
@family_required
def family_policies(request):
    return _agreed(request, PolicyKind.FAMILY, "portal/accounts/family_policies.html")


@require_GET
@family_required
def student_policies(request):
    return _agreed(request, PolicyKind.STUDENT, "portal/accounts/student_policies.html")


@require_GET
def policy_detail(request, policy_id: int):
    policy = get_object_or_404(
        Policy.objects.for_organization(request.organization).filter(
            is_active=True, show_on_web=True
        ),
        pk=policy_id,
    )
    version = policy.current_version
    if version is None:
        raise Http404("No text yet")
    return render(
        request, "portal/accounts/policy_detail.html", {"policy": policy, "version": version}
    )
