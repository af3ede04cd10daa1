"""Messages in the user's language, through standard gettext catalogs.

Source strings are English; ``locale/zh_CN/LC_MESSAGES/dc.po`` translates them, and
Simplified Chinese is the default whatever the machine's locale says.  ``--lang en`` or
``DC_LANG=en`` switches to English.  Catalogs are compiled with Babel (``pybabel compile``);
a test checks that the shipped ``.mo`` files match their ``.po`` sources.
"""

from __future__ import annotations

import errno
import gettext
import os
from pathlib import Path

DOMAIN = "dc"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANG = "zh_CN"
_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh_hans": "zh_CN",
            "zh-hans": "zh_CN", "cn": "zh_CN", "en": "en", "en_us": "en", "en-us": "en",
            "en_gb": "en", "en-gb": "en"}
SUPPORTED = ("zh", "en")


def _key(lang: str) -> str:
    """``zh_CN.UTF-8`` / ``en_US@euro`` → ``zh_cn`` / ``en_us`` (as in a LANG variable)."""
    return lang.strip().split(".", 1)[0].split("@", 1)[0].lower()


_translation: gettext.NullTranslations = gettext.NullTranslations()
_lang = "en"


def normalize(lang: str | None) -> str:
    """Map what a user types (``zh``, ``zh-CN``, ``en_US`` …) to a catalog name."""
    if not lang:
        return DEFAULT_LANG
    return _ALIASES.get(_key(lang), DEFAULT_LANG)


def is_supported(lang: str) -> bool:
    """Whether ``lang`` names a language dc has (``zh``, ``en`` and their spellings)."""
    return _key(lang) in _ALIASES


def set_language(lang: str | None = None) -> str:
    """Install the catalog for ``lang`` (else ``DC_LANG``, else Chinese) and return its name."""
    global _translation, _lang
    _lang = normalize(lang or os.environ.get("DC_LANG"))
    if _lang == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_lang], fallback=True)
    return _lang


def current() -> str:
    """The active catalog name: ``zh_CN`` or ``en``."""
    return _lang


def is_chinese() -> bool:
    return _lang.startswith("zh")


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (module-level tables)."""
    return message


set_language()


# Why a call to the operating system failed, in the active language: its own words
# (``strerror``) are English on most machines and in the system's language on others.
_OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("part of the path is not a folder"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the disk is read-only"),
    errno.EEXIST: N_("it exists already"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EBUSY: N_("it is in use"),
}
_FILE_IN_USE = 32  # Windows' ERROR_SHARING_VIOLATION: the file is open in another program


def os_reason(exc: BaseException) -> str:
    """Why ``exc`` (an :class:`OSError`, usually) happened, as a short phrase."""
    if getattr(exc, "winerror", None) == _FILE_IN_USE:
        return _("the file is open in another program: close it and try again")
    said = _OS_REASONS.get(getattr(exc, "errno", None) or 0)
    if said is not None:
        return _(said)
    return str(getattr(exc, "strerror", None) or exc)
