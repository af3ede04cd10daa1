"""The ``dc`` command: a thin typer layer over :mod:`dianchang_cli.api`.

The language is chosen before the app is built, so ``--help`` texts are translated too:
``--lang en`` anywhere on the command line (or ``DC_LANG=en``) gives English.
"""

from __future__ import annotations

import sys


def _take_lang(argv: list[str]) -> tuple[str | None, list[str]]:
    """Remove ``--lang X`` / ``--lang=X`` from ``argv``; return the language and the rest."""
    lang, rest, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang" and i + 1 < len(argv):
            lang, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return lang, rest


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from ..i18n import set_language

    lang, rest = _take_lang(list(sys.argv[1:] if argv is None else argv))
    set_language(lang)
    from .app import build_app

    build_app()(args=rest, prog_name="dc")
