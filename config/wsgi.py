import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Production refuses the sandbox gateway at start-up too (gunicorn runs no system checks).
from springboard.billing.gateways.stripe.checks import refuse_to_serve_on_the_sandbox  # noqa: E402

refuse_to_serve_on_the_sandbox()
