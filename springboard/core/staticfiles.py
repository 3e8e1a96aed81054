"""The static files' storage of production settings: WhiteNoise's compressed manifest, with
each file's URL worked out once per process (issue 17, item 3).

Every page's `<head>` names six static files; the manifest storage looks each one up, splits,
quotes and joins it again on every request (about 0.1 ms a page, profiled with py-spy on a
gunicorn worker; docs/performance.md). The URL of a name depends only on the manifest, which
a process loads once at start (a deploy restarts the workers), and on DEBUG, in the key.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

_ENTRIES = 1024  # names come from our templates; a bound all the same


class ManifestStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple, str] = {}

    def url(self, name, force=False):
        key = (name, force, settings.DEBUG)
        found = self._urls.get(key)
        if found is None:
            found = super().url(name, force)
            if len(self._urls) >= _ENTRIES:
                self._urls.clear()
            self._urls[key] = found
        return found

    def post_process(self, *args, **kwargs):
        self._urls.clear()  # collectstatic makes a new manifest
        yield from super().post_process(*args, **kwargs)
