"""Picking a record's text in the reader's language."""

from django.conf import settings
from django.utils.translation import get_language


def localised(zh: str, en: str) -> str:
    """The Chinese text when the active language is Chinese, else the English
    one; either falls back to the other when it is empty."""
    lang = get_language() or settings.LANGUAGE_CODE
    if lang.startswith("zh"):
        return zh or en
    return en or zh
