"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters from ``ALPHABET`` (digits and upper-case letters without
I, O, Z, S, V): registration authority, entity type, 6-digit administrative
division, 9-character organisation code and one check character computed from
the first 17 with ``WEIGHTS``.
"""

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class CreditCodeError(ValueError):
    """The text is not a valid unified social credit code; the message says why."""


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(text: str) -> str:
    """Upper-case and strip spaces; the code itself is not checked."""
    return "".join(str(text).split()).upper()


def validate(text: str) -> str:
    """Return the normalised code, or raise ``CreditCodeError`` saying what is wrong."""
    code = normalise(text)
    if len(code) != LENGTH:
        raise CreditCodeError(
            _("A unified social credit code has 18 characters; %(code)r has %(n)d.")
            % {"code": code, "n": len(code)}
        )
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        raise CreditCodeError(
            _(
                "Character(s) %(chars)s cannot appear in a unified social credit "
                "code (the letters I, O, Z, S and V are never used)."
            )
            % {"chars": ", ".join(bad)}
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            _(
                "The check character of %(code)s is wrong: it should be "
                "%(expected)s, not %(got)s. Check the code for a typing error."
            )
            % {"code": code, "expected": expected, "got": code[17]}
        )
    return code
