"""PDF through Typst: ``templates/report.typ`` reads the report as one JSON value.

No Typst source is ever built from record text; the template reads
``json(bytes(sys.inputs.data))`` and prints strings as strings.  An override
``<repo>/plan/templates/report.typ`` replaces the packaged template (it may import files
beside it).  The font is the bundled Noto Sans CJK SC unless ``font`` names a system font.

An override is untrusted: Typst only reads files below its project root, but it follows a
symlink found there.  So an override is compiled in a temporary copy of ``plan/templates``
that holds only its regular files (each read with the same checks as a record file); a
symlink out of the repository, a FIFO or a device is simply not there.  A failure is a
``plan/templates/report.typ:LINE: [plan-template] …`` message.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _, os_reason
from .markdown import MAX_TEMPLATE_BYTES, TemplateProblem, read_override, shown_name
from .typst_engine import FontNotFound, RenderError, choose_font, compile_pdf

if TYPE_CHECKING:
    from . import ReportOptions

PACKAGED = Path(__file__).parent / "templates"
TEMPLATE = "report.typ"
MAX_FILES = 500  # files of plan/templates copied for an override
MAX_FILE_BYTES = 20 * 1024 * 1024  # one file beside the template (an image, a logo …)
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 8
_PLACE = re.compile(r"┌─ (.+?):(\d+):(\d+)")
# A Typst package import ("@preview/name:1.0.0") makes Typst download code from the
# internet while CI runs: an override may import only files beside it.
_PACKAGE = re.compile(rb"""["']@[A-Za-z0-9_-]+/""")


def _refuse_packages(data: bytes, file: str) -> None:
    found = _PACKAGE.search(data)
    if found:
        line = data.count(b"\n", 0, found.start()) + 1
        raise TemplateProblem(file, line, _("a Typst template may not import packages "
                                            "(@…/…); import only files in plan/templates"))


def has_override(override: Path | None, name: str = TEMPLATE) -> bool:
    """Whether ``override/name`` exists in any form (a file, a link, a pipe …)."""
    if override is None:
        return False
    try:
        os.lstat(override / name)
    except OSError:
        return False
    return True


def _files(folder: Path, depth: int = 0) -> Iterator[str]:
    """Relative names of the entries below ``folder`` that are not folders (folders that are
    symlinks are not entered)."""
    if depth > MAX_DEPTH:
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            is_dir = stat.S_ISDIR(entry.stat(follow_symlinks=False).st_mode)
        except OSError:
            continue
        if is_dir:
            yield from (f"{entry.name}/{rest}" for rest in _files(Path(entry.path), depth + 1))
        else:
            yield entry.name


@contextmanager
def sandbox_copy(override: Path, name: str = TEMPLATE) -> Iterator[Path]:
    """A temporary folder with ``name`` and the regular files beside it in ``override``.

    ``name`` must be readable (else :class:`TemplateProblem`); any other file that is not a
    regular file inside the folder, or is too large, is left out.
    """
    main = read_override(override, name, MAX_TEMPLATE_BYTES)
    if main is None:
        raise TemplateProblem(shown_name(override, name), 0,
                              _("no such template: {name}").format(name=name))
    _refuse_packages(main, shown_name(override, name))
    with tempfile.TemporaryDirectory(prefix="dc-typst-") as tmp:
        root = Path(tmp)
        total = 0
        for n, relative in enumerate(_files(override)):
            if n >= MAX_FILES or total > MAX_TOTAL_BYTES:
                break
            if relative == name:
                continue
            try:
                data = read_override(override, relative, MAX_FILE_BYTES)
            except TemplateProblem:
                continue  # not a regular file inside the folder: Typst will not find it
            if data is None:
                continue
            if relative.endswith(".typ"):
                _refuse_packages(data, shown_name(override, relative))
            total += len(data)
            target = root.joinpath(*relative.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (root / name).write_bytes(main)
        yield root


def _plan_problem(err: RenderError, root: Path, override: Path, name: str) -> RenderError:
    """A Typst failure in the copy of ``override`` told in the plan's own file names."""
    folder = shown_name(override, "").rstrip("/")
    file, line = shown_name(override, name), 0
    cause = err.__cause__
    message = getattr(cause, "message", None) or str(cause or err.message)
    diagnostic = str(getattr(cause, "diagnostic", "") or "")
    found = _PLACE.search(diagnostic)
    if found:
        place = Path(found.group(1))
        if not place.is_absolute():
            place = Path.cwd() / place
        try:
            relative = Path(os.path.realpath(place)).relative_to(os.path.realpath(root))
            file, line = f"{folder}/{relative.as_posix()}", int(found.group(2))
        except ValueError:
            pass
    for prefix in {os.path.realpath(root), str(root)}:
        message = message.replace(prefix, folder)
    hints = [h for h in getattr(cause, "hints", None) or [] if "--root" not in h]
    text = _("the Typst template failed: {message}").format(message=message.strip())
    text += "".join(f"（{h}）" for h in hints)
    return RenderError(TemplateProblem(file, line, text).text())


def render(data: dict[str, Any], override: Path | None = None, font: str | None = None,
           when: dt.date | None = None) -> bytes:
    """The report as PDF bytes; raises :class:`~.typst_engine.RenderError`."""
    choice = choose_font(font)
    if override is None or not has_override(override):
        return compile_pdf(PACKAGED / TEMPLATE, data, choice, when=when)
    try:
        with sandbox_copy(override) as root:
            try:
                return compile_pdf(root / TEMPLATE, data, choice, when=when)
            except FontNotFound:
                raise
            except RenderError as err:
                raise _plan_problem(err, root, override, TEMPLATE) from None
    except TemplateProblem as err:
        raise RenderError(err.text()) from None
    except OSError as err:  # the temporary copy could not be written
        raise RenderError(_("The Typst template {file} failed: {message}").format(
            file=shown_name(override, TEMPLATE), message=os_reason(err))) from None


def render_report(data: dict[str, Any], options: ReportOptions) -> bytes:
    """The report format ``pdf`` of :data:`~dianchang_cli.render.REPORT_FORMATS`."""
    return render(data, options.templates, font=options.font, when=options.when)
