"""The ``dc`` command: a thin typer layer over :mod:`dianchang_cli.api`.

The language is chosen before the app is built, so ``--help`` texts are translated too:
``--lang en`` anywhere on the command line (or ``DC_LANG=en``) gives English.  A language
dc does not have (``--lang fr``, ``DC_LANG=fr``) is a usage error, exit 2.

No traceback reaches a user: an unexpected exception is one line saying it is an internal
error, exit 2.  ``DC_DEBUG=1`` shows the traceback instead; so does a run under pytest
(``PYTEST_CURRENT_TEST`` is set, also in the environment of the ``dc`` subprocesses tests
start), so a real bug fails its test loudly instead of hiding behind exit 2.
"""

from __future__ import annotations

import os
import sys

EXIT_USAGE = 2


class _MissingLanguage(Exception):
    """``--lang`` is the last argument: it has no value."""


def _take_lang(argv: list[str]) -> tuple[str | None, list[str]]:
    """Remove ``--lang X`` / ``--lang=X`` from ``argv``; return the language and the rest.

    Arguments after ``--`` are left alone (they are file names, not options).
    """
    lang, rest, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == "--lang":
            if i + 1 >= len(argv):
                raise _MissingLanguage
            lang, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return lang, rest


def _debug() -> bool:
    """Whether an unexpected exception should show its traceback (``DC_DEBUG``, pytest)."""
    flag = os.environ.get("DC_DEBUG", "").strip().lower()
    return flag not in ("", "0", "no", "false") or "PYTEST_CURRENT_TEST" in os.environ


def _choose_language(argv: list[str]) -> list[str]:
    """Install the language asked for and return the other arguments; exit 2 for an
    unknown language or a ``--lang`` without a value."""
    from ..diagnostics import printable
    from ..i18n import _, is_supported, set_language

    try:
        lang, rest = _take_lang(argv)
    except _MissingLanguage:
        set_language(None)
        print(_("--lang needs a value: zh (Chinese, the default) or en (English)"),
              file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    env = os.environ.get("DC_LANG", "").strip()
    if lang is not None and not is_supported(lang):
        where = f"--lang {printable(lang)}"
    elif lang is None and env and not is_supported(env):
        where = f"DC_LANG={printable(env)}"
    else:
        set_language(lang)
        return rest
    set_language(env if env and is_supported(env) else "zh")
    print(_("{where}: unsupported language; supported: zh (Chinese, the default), "
            "en (English)").format(where=where), file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _internal_error(exc: BaseException) -> None:
    from ..diagnostics import printable
    from ..i18n import _

    what = printable(f"{type(exc).__name__}: {exc}")
    print(_("dc: internal error ({what}). This is a bug in dc: please report it with the "
            "command you ran. Run it again with DC_DEBUG=1 to see the full traceback.")
          .format(what=what), file=sys.stderr)


def utf8_when_redirected(platform: str = sys.platform) -> None:
    """On Windows, output sent to a file or a pipe (``dc check > out.txt``, ``| findstr``)
    is written in the console's code page (cp936, cp1252): ✓ and rarer characters would
    stop dc, and JSON or JUnit declared UTF-8 would not be.  There it is UTF-8, as
    everywhere else; a console keeps its own (Python writes Unicode to it)."""
    if platform != "win32":
        return
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not stream.isatty():
            reconfigure(encoding="utf-8")


def expand_wildcards(args: list[str], platform: str = sys.platform) -> list[str]:
    """On Windows, ``dc validate records\\dongyuan\\*.yaml`` reaches dc with the ``*``
    (cmd and PowerShell do not expand it, as POSIX shells do): each argument holding a
    wildcard that matches files becomes those files, in order; any other stays as typed."""
    if platform != "win32":
        return args
    import glob

    out: list[str] = []
    for arg in args:
        found = sorted(glob.glob(arg)) if not arg.startswith("-") and any(
            c in arg for c in "*?[") else []
        out.extend(found or [arg])
    return out


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point.  Called as the program itself (no ``argv``), it leaves
    without tearing the interpreter down: see :func:`_leave`."""
    try:
        try:
            utf8_when_redirected()
            given = sys.argv[1:] if argv is None else argv
            rest = _choose_language(expand_wildcards(list(given)))
            from .app import build_app

            build_app()(args=rest, prog_name="dc")
        except Exception as exc:  # SystemExit and KeyboardInterrupt are not Exceptions
            if _debug():
                raise
            _internal_error(exc)
            raise SystemExit(EXIT_USAGE) from None
    except SystemExit as done:
        if argv is None and not _debug():
            _leave(done.code)
        raise


def _leave(code: object) -> None:
    """Exit now, with ``code``, once the output is flushed and a cache file still being
    written in the background is complete.  Everything else dc writes (output, reports) is
    complete and closed by the time a command returns; what is left is the interpreter
    freeing every object one by one — seconds, for a check of a million records — which
    nobody waits for."""
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # a closed pipe: nothing more can be said, as a normal exit would
        status = status or 1
    cache = sys.modules.get("dianchang_cli.records.cache")
    if cache is not None:
        cache.settle()  # a cache still being written in the background (see there)
    os._exit(status)
