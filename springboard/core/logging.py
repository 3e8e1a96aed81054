"""A logging filter that masks anything that looks like a card number in every record a
handler writes (config/settings.py puts it on the console handler).

Defence in depth: numbers are typed into the gateway's fields and never reach our views, and
nothing of ours logs request bodies — but an exception message or a third-party library's
debug line must not be the one place a number survives."""

import logging

from springboard.core.cardnumbers import redact_card_numbers


class RedactCardNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_card_numbers(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_card_numbers(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
