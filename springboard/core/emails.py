"""Email addresses are compared case-insensitively everywhere: one normal form."""


def normalize_email_address(email: str) -> str:
    """Stored lower-cased and trimmed."""
    return (email or "").strip().lower()
