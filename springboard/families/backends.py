"""The login backend: Django's ModelBackend behind the failed-login throttle.

Every password check goes through here (the portal's login and the staff admin's), so both
count failures and both refuse a locked (email, IP) pair or IP; see throttle.py.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from springboard.core.clock import request_now
from springboard.families import cached, throttle

BACKEND = "springboard.families.backends.ThrottledModelBackend"


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None or not email:
            return super().authenticate(request, username, password, **kwargs)
        ip = throttle.client_ip(request)
        now = request_now(request)
        if throttle.locked_until(email=email, ip=ip, now=now) is not None:
            # Stops every backend; Django then reports a failed login (not counted again).
            raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            throttle.record_failure(email=email, ip=ip, now=now)
        else:
            throttle.record_success(email=email, ip=ip)
        return user

    def get_user(self, user_id):
        """The login of a session: from the shared cache when there is one (a save of the
        login bumps its version: a password change still logs other sessions out)."""
        return cached.user(user_id, lambda: super(ThrottledModelBackend, self).get_user(user_id))
