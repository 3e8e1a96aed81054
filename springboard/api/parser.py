"""JSON bodies: at most MAX_BODY bytes (a bigger one is a 400 before it is parsed); anything
json cannot read is ninja's 400 "Cannot parse request body"."""

import json

from ninja.parser import Parser

from springboard.core.parsing import whole_number

MAX_BODY = 64 * 1024


class BodyTooBig(ValueError):
    pass


class LimitedJSONParser(Parser):
    def parse_body(self, request):
        if whole_number(request.META.get("CONTENT_LENGTH") or "0", maximum=MAX_BODY) is None:
            raise BodyTooBig
        body = request.body
        if len(body) > MAX_BODY:
            raise BodyTooBig
        return json.loads(body)
