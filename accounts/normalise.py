"""One normalisation of account names and e-mail addresses, for every way in (sign-up, sign-in, admin, lockout)."""
import unicodedata


def normalise_username(value: str | None) -> str:
    """An account name as stored and looked up: NFKC (full-width ｍｅｒＢ is merB), without surrounding spaces.

    Case is kept, as Django's are case-sensitive; the admin's creation form already refuses a name that differs
    from an existing one only in case. Django's UsernameField (sign-in and admin forms) does the same NFKC + strip.
    """
    return unicodedata.normalize("NFKC", value or "").strip()


def normalise_email(value: str | None) -> str:
    """An e-mail address as stored: NFKC, without surrounding spaces, lower case.

    str.lower (as django-allauth stores addresses), not str.casefold: casefold turns ß into ss, another mailbox.
    """
    return unicodedata.normalize("NFKC", value or "").strip().lower()
