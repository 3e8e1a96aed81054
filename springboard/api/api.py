"""The JSON API (docs/api.md): django-ninja, one schema for every organization.

Mounted at /api/v1/ (config/urls.py). Every operation's path starts with /{account}/, which
OrganizationMiddleware consumes exactly as for the portal (request.organization, the tenancy
scope, 404 for an unknown account); the parameter is added to each operation of the schema
here since the views never see it. No interactive docs page: ninja's loads from a CDN, and the
CSP allows our own files only; the schema is the documentation.
"""

from ninja import NinjaAPI

from springboard.api import errors
from springboard.api.parser import LimitedJSONParser
from springboard.api.routers import auth, catalog, family

ACCOUNT_PARAMETER = {
    "in": "path",
    "name": "account",
    "required": True,
    "description": "The organization's account name, as in the portal's address.",
    "schema": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$"},
}


class SpringboardAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for path, operations in schema["paths"].items():
            if "{account}" not in path:
                continue
            for operation in operations.values():
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "account" for p in parameters):
                    parameters.insert(0, dict(ACCOUNT_PARAMETER))
        return schema


api = SpringboardAPI(
    title="Springboard API",
    version="1",
    description="The family portal's catalogue, cart, checkout and history as JSON.",
    urls_namespace="api",
    docs_url=None,
    parser=LimitedJSONParser(),
)
errors.install(api)
api.add_router("", catalog.router)
api.add_router("", auth.router)
api.add_router("", family.router)
