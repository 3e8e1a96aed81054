"""API tokens: asked for with email + password (the portal login's throttle and hashing
bound), revoked with DELETE."""

import math

from django.contrib.auth import authenticate
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from springboard.api import schemas, throttles, tokens
from springboard.api.auth import TokenAuth
from springboard.api.errors import TooManyRequests
from springboard.families import throttle
from springboard.families.services import family_for

router = Router(tags=["auth"])


@router.post(
    "/{account}/auth/token",
    response={
        201: schemas.TokenOut,
        400: schemas.Error,
        401: schemas.Error,
        403: schemas.Error,
        404: schemas.Error,
        422: schemas.Error,
        429: schemas.Error,
        503: schemas.Error,
    },
)
def create_token(request, body: schemas.TokenRequest):
    """A new token for this login's family here. Wrong passwords count toward the same lock
    as the portal's login (10 per email and address, 50 per address, in 15 minutes)."""
    throttles.check(request, token_request=True)
    ip = throttle.client_ip(request)
    until = throttle.locked_until(email=body.email, ip=ip, now=request.now)
    if until is not None:
        raise TooManyRequests(
            math.ceil((until - request.now).total_seconds()),
            _("Too many wrong passwords from here. Try again later, or use Forgot Password."),
        )
    # The login backend counts a failure (or clears the pair's failures on success).
    user = authenticate(request, email=body.email, password=body.password)
    if user is None:
        raise HttpError(401, _("That email and password do not match a login."))
    if family_for(user, request.organization) is None:
        raise HttpError(403, _("This login has no family at this organization."))
    token, raw = tokens.issue(
        organization=request.organization, user=user, name=body.name, now=request.now
    )
    return Status(
        201, {"token": raw, "id": token.pk, "name": token.name, "created_at": token.created_at}
    )


@router.delete(
    "/{account}/auth/token",
    auth=[TokenAuth()],
    response={
        204: None,
        400: schemas.Error,
        401: schemas.Error,
        404: schemas.Error,
        429: schemas.Error,
    },
)
def revoke_token(request):
    """Revoke the token this request is sent with."""
    throttles.check(request)
    tokens.revoke(request.api_token)
    return HttpResponse(status=204)
