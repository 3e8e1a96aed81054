"""JSON bodies: at most MAX_BODY bytes (a bigger one is a 400 before it is parsed); anything
json cannot read is ninja's 400 "Cannot parse request body", and so is a text holding a NUL
character (PostgreSQL cannot store one and no field means one; the portal's forms refuse it
the same way)."""

import json

from ninja.parser import Parser

from springboard.core.parsing import whole_number

MAX_BODY = 64 * 1024


class BodyTooBig(ValueError):
    pass


class NulCharacter(ValueError):
    pass


def _refuse_nul(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise NulCharacter
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


class LimitedJSONParser(Parser):
    def parse_body(self, request):
        if whole_number(request.META.get("CONTENT_LENGTH") or "0", maximum=MAX_BODY) is None:
            raise BodyTooBig
        body = request.body
        if len(body) > MAX_BODY:
            raise BodyTooBig
        data = json.loads(body)
        _refuse_nul(data)
        return data
