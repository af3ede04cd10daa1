"""Compile a Typst template to PDF bytes, with a CJK font and the data as one JSON value.

The data never becomes Typst source: it goes in as the string ``sys.inputs.data`` and the
template reads it with ``json(bytes(sys.inputs.data))``, so a record titled
``#set text(fill: red)`` prints those characters.  The font family is ``sys.inputs.font``.

Fonts: by default the bundled Noto Sans CJK SC from the ``manimgx-fonts-cjk`` package, with
system fonts ignored so the same data gives the same PDF on every machine.  A system font
(the plan's ``settings.font`` or ``--font``) switches system fonts on.  A font that cannot be
found is a :class:`FontNotFound` saying how to get one, never a PDF of empty boxes.

>>> font = choose_font(None)                                                # doctest: +SKIP
>>> pdf = compile_pdf(Path("report.typ"), {"title": "…"}, font)             # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..i18n import _

BUNDLED_FAMILY = "Noto Sans CJK SC"
FONT_PACKAGE = "manimgx_fonts_cjk"
FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")


class RenderError(Exception):
    """A report or ledger that cannot be rendered; the message says what to do about it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FontNotFound(RenderError):
    """No usable CJK font."""


@dataclass(frozen=True, slots=True)
class FontChoice:
    family: str
    font_paths: tuple[str, ...]
    system: bool  # whether system fonts are searched too


def bundled_font_dir() -> Path | None:
    """The folder of the ``manimgx-fonts-cjk`` package, if it is installed with its font."""
    try:
        spec = find_spec(FONT_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location)
        if any(p.suffix.lower() in FONT_SUFFIXES for p in folder.iterdir()):
            return folder
    return None


def how_to_get_a_font() -> str:
    return _("Install the bundled CJK font with `pip install manimgx-fonts-cjk`, or name an "
             "installed system font with `--font NAME` or the plan's `settings.font` "
             "(`fc-list :lang=zh family` lists them).")


def choose_font(family: str | None = None) -> FontChoice:
    """The bundled font (``family`` None or the bundled family), else a system font."""
    folder = bundled_font_dir()
    paths = (str(folder),) if folder else ()
    if family is None or family.strip() == "":
        if folder is None:
            raise FontNotFound(_("No CJK font found for the PDF.") + " " + how_to_get_a_font())
        return FontChoice(BUNDLED_FAMILY, paths, system=False)
    if family.strip().casefold() == BUNDLED_FAMILY.casefold() and folder is not None:
        return FontChoice(BUNDLED_FAMILY, paths, system=False)
    if folder is None and not _covers_chinese(family.strip()):
        # nothing to fall back on for Chinese glyphs: the PDF would show empty boxes
        raise FontNotFound(_("The font {family} has no Chinese glyphs and no CJK font is "
                             "installed to fall back on.").format(family=family) + " "
                           + how_to_get_a_font())
    return FontChoice(family.strip(), paths, system=True)


def _covers_chinese(family: str) -> bool:
    """Whether fontconfig knows ``family`` as a Chinese font (True when it cannot tell)."""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return True
    try:
        done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                              text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return True
    names = {n.strip().casefold() for line in done.stdout.splitlines() for n in line.split(",")}
    return done.returncode != 0 or family.casefold() in names


def _timestamp(when: dt.date | dt.datetime | None) -> int | None:
    if when is None:
        return None
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day, tzinfo=dt.UTC)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp())


def compile_pdf(template: Path, data: Any, font: FontChoice | None = None,
                when: dt.date | dt.datetime | None = None) -> bytes:
    """Compile ``template`` (a ``.typ`` file; it may import files beside it) with ``data``.

    ``data`` must be JSON-serialisable (dates become ISO strings).  ``when`` fixes the PDF's
    creation date, so the same inputs give the same bytes.  Raises :class:`RenderError`.
    """
    import typst

    font = font or choose_font(None)
    inputs = {"data": json.dumps(data, ensure_ascii=False, default=str), "font": font.family}
    template = Path(template)
    try:
        compiler = typst.Compiler(root=str(template.parent), font_paths=list(font.font_paths),
                                  ignore_system_fonts=not font.system)
        pdf, warnings = compiler.compile_with_warnings(
            input=str(template), format="pdf", sys_inputs=inputs, timestamp=_timestamp(when))
    except typst.TypstError as err:
        raise RenderError(_("The Typst template {file} failed: {message}").format(
            file=template, message=_typst_text(err))) from err
    except (OSError, RuntimeError) as err:
        raise RenderError(_("The Typst template {file} failed: {message}").format(
            file=template, message=err)) from err
    missing = [w.message for w in warnings if "unknown font family" in w.message]
    if missing:
        raise FontNotFound(_("Font not found: {family}.").format(family=font.family) + " "
                           + how_to_get_a_font())
    if not isinstance(pdf, bytes):
        raise RenderError(_("Typst returned no PDF for {file}").format(file=template))
    return pdf


def _typst_text(err: Exception) -> str:
    """The Typst diagnostic on one or a few lines: message, place, hints."""
    message = getattr(err, "message", None) or str(err)
    parts = [str(message).strip()]
    diagnostic = getattr(err, "diagnostic", None)
    if diagnostic and str(diagnostic).strip() and str(diagnostic).strip() != parts[0]:
        parts.append(str(diagnostic).strip())
    parts += [f"hint: {h}" for h in getattr(err, "hints", None) or []]
    return "\n".join(parts)
