"""Family-facing views, one module per area (home, accounts, booking, ...).

Views are thin: they read request.organization (set by OrganizationMiddleware), call a domain
service, and render. Each area's URL patterns sit in springboard/portal/urls.py.
"""
