"""The project's URLs plus /<account>/bench/bare/: the same middleware, no page work."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("<slug:account>/bench/bare/", bare), *project_urlpatterns]
