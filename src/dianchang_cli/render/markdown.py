"""Markdown from a Jinja2 template, every printed value escaped for Markdown.

Escaping is not left to the template: the environment's ``finalize`` hook escapes the value
of every ``{{ … }}``, so a record titled ``| *x* <script>`` can neither break a table row
nor become emphasis or HTML.  Template text itself is printed as written.

Templates are looked up first in ``<repo>/plan/templates/`` (same file name as the packaged
template overrides it), then in the package; :func:`environment` is shared with the HTML
renderer.

A template in ``plan/templates/`` comes from a pull request, so every template — packaged or
not — runs in Jinja2's immutable sandbox (no ``__class__``/``__globals__`` chain, no
``list.append``), is read only as a regular file inside that folder and at most
:data:`MAX_TEMPLATE_BYTES` long, and renders at most :data:`MAX_OUTPUT` characters within
:data:`MAX_SECONDS`.  Whatever goes wrong is a :class:`RenderError` reading
``plan/templates/report.md.j2:LINE: [plan-template] …`` (line 0: the whole file), which
the CLI prints before it exits with status 2.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..diagnostics import printable
from ..i18n import _
from .typst_engine import RenderError

if TYPE_CHECKING:
    import jinja2

    from . import ReportOptions

PACKAGED = Path(__file__).parent / "templates"
TEMPLATE = "report.md.j2"
CODE = "plan-template"

MAX_TEMPLATE_BYTES = 1024 * 1024  # an override template file (the packaged ones are ~10 KB)
MAX_OUTPUT = 50_000_000  # characters a template may print
MAX_SECONDS = 10.0  # a template that runs longer is stopped at its next output or loop step
MAX_ITEMS = 1_000_000  # the longest string or list `*` may build
MAX_INT_BITS = 100_000  # the largest integer `*` and `**` may build
_FORMAT_WIDTH = re.compile(r"\d{6,}")  # "{:>999999999}" or "%0999999999d": a huge padding
_NESTED_SPEC = re.compile(r"\{[^{}]*:[^{}]*\{")  # "{:>{w}}": a width from a value
_PERCENT_STAR = re.compile(r"%[-#0 +]*\*")  # "%*d": a width from a value
_GROWING_FILTERS = ("center", "indent", "wordwrap", "batch", "slice", "join", "replace",
                    "format")

_BREAKS = re.compile(r"[ \t]*[\r\n\t\f\v][ \t\r\n\f\v]*")  # a line break would end a row
_SPECIAL = re.compile(r"([\\`*_\[\]|~$#])")
_LEADING_MARK = re.compile(r"^([-+=])")  # a list item or setext underline at line start
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)")  # an ordered list item


def md_escape(value: Any) -> str:
    """``value`` as inline Markdown text that shows exactly its characters, on one line."""
    if value is None:
        return ""
    text = _BREAKS.sub(" ", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    text = _LEADING_MARK.sub(r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\\2", text)


class TemplateProblem(Exception):
    """A template that is refused or fails: shown as ``file:line: [plan-template] message``."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(message)
        self.file, self.line, self.message = file, line, message

    def text(self) -> str:
        return f"{printable(self.file)}:{self.line}: [{CODE}] {self.message}"


def shown_name(override: Path, name: str) -> str:
    """``plan/templates/report.md.j2``: a template file as the plan's other files are shown
    (relative to the folder holding the plan folder)."""
    path = override / name
    try:
        return path.relative_to(override.parent.parent).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def read_override(override: Path, name: str, limit: int = MAX_TEMPLATE_BYTES) -> bytes | None:
    """The bytes of the override ``override/name``; ``None`` when there is none.

    Only a regular file inside the templates folder (itself inside the plan folder) is read,
    and at most ``limit + 1`` bytes of it: a symlink to ``/dev/zero`` or out of the
    repository, a FIFO or a huge file is a :class:`TemplateProblem`, never a hang.
    """
    from ..load.files import Unreadable, read_limited

    path = override / name
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        pass  # read_limited says why it cannot be read
    shown = shown_name(override, name)
    expected = _("a regular text file inside {folder}, at most {n} KiB").format(
        folder=shown_name(override, "").rstrip("/"), n=limit // 1024)
    real_folder = os.path.realpath(override)
    if not _inside(real_folder, os.path.realpath(override.parent)):
        raise TemplateProblem(shown, 0, _(
            "the templates folder is a symbolic link to a place outside the plan; its "
            "templates are not read") + f"（{expected}）")
    try:
        return read_limited(path, override, limit)
    except Unreadable as exc:
        raise TemplateProblem(shown, 0, f"{exc.message}（{expected}）") from None


class _Loader:
    """Templates from ``override`` (checked as untrusted files) first, then the package.

    Remembers the file name given to each template, so a failure found in a traceback frame
    can be told by its file.
    """

    def __init__(self, override: Path | None) -> None:
        self.override = override
        self.shown: dict[str, str] = {}  # file name given to Jinja2 → name shown to people

    def source(self, name: str) -> tuple[str, str]:
        """``(text, filename)`` of template ``name``; raises :class:`TemplateProblem`."""
        import jinja2
        from jinja2.loaders import split_template_path

        parts = split_template_path(name)  # TemplateNotFound for "..": no way out
        relative = "/".join(parts)
        data: bytes | None = None
        if self.override is not None and self.override.is_dir():
            data = read_override(self.override, relative)
        if data is not None:
            assert self.override is not None
            filename = os.fspath(self.override / relative)
            shown = shown_name(self.override, relative)
        else:
            path = PACKAGED.joinpath(*parts)
            if not path.is_file():
                raise jinja2.TemplateNotFound(name)
            data, filename, shown = path.read_bytes(), os.fspath(path), relative
        self.shown[filename] = shown
        try:
            text = data.decode("utf-8-sig")  # Notepad saves a byte-order mark in front
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise TemplateProblem(shown, line, _("the template is not UTF-8 text")) from None
        return text, filename

    def jinja_loader(self) -> jinja2.BaseLoader:
        import jinja2

        outer = self

        class Loader(jinja2.BaseLoader):
            def get_source(self, environment: jinja2.Environment, template: str
                           ) -> tuple[str, str, Callable[[], bool]]:
                text, filename = outer.source(template)
                return text, filename, lambda: False

        return Loader()


class _Budget:
    """How much a render may still print and how long it may still run."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + MAX_SECONDS
        self.printed = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _TooCostly(_("the template ran longer than {n} seconds").format(
                n=int(MAX_SECONDS)))

    def add(self, chunk: str) -> None:
        self.printed += len(chunk)
        if self.printed > MAX_OUTPUT:
            raise _TooCostly(_("the template prints more than {n} million characters").format(
                n=MAX_OUTPUT // 1_000_000))


class _TooCostly(Exception):
    """A template that would build too large a value, print too much or run too long."""


def _size(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 1


def _biggest(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """The largest width-like argument: an int's value or a string's length."""
    out = 1
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, bool):
            continue
        if isinstance(arg, int):
            out = max(out, abs(arg))
        elif isinstance(arg, str):
            out = max(out, len(arg))
    return out


def _check_format(template: str) -> None:
    if (_FORMAT_WIDTH.search(template) or _NESTED_SPEC.search(template)
            or _PERCENT_STAR.search(template)):
        raise _TooCostly(_("the template formats a value with a width that is too large"))


def _bounded(name: str, filter_: Callable[..., Any]) -> Callable[..., Any]:
    """``filter_`` refusing arguments that would make its result huge (``center(10**9)``,
    a join of 100,000 items with a 10,000-character separator …)."""
    passes = getattr(filter_, "jinja_pass_arg", None)  # environment, eval context …

    def check(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if _size(value) * _biggest(args, kwargs) > MAX_OUTPUT:
            raise _TooCostly(_("the filter {name} would build a value that is too large")
                             .format(name=name))
        if name == "format" and isinstance(value, str):
            _check_format(value)

    if passes is None:
        def plain(value: Any, *args: Any, **kwargs: Any) -> Any:
            check(value, args, kwargs)
            return filter_(value, *args, **kwargs)

        return plain

    def passing(first: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        check(value, args, kwargs)
        return filter_(first, value, *args, **kwargs)

    passing.jinja_pass_arg = passes  # type: ignore[attr-defined]
    return passing


def _sandbox(loader: jinja2.BaseLoader, html: bool, budget: _Budget) -> jinja2.Environment:
    """An immutable sandbox that also refuses operations building huge values."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%"})

        def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                       right: Any) -> Any:
            budget.tick()
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if (isinstance(seq, str | list | tuple) and isinstance(n, int)
                            and len(seq) * n > MAX_ITEMS):
                        raise _TooCostly(_("the template builds a value that is too large"))
                if (isinstance(left, int) and isinstance(right, int)
                        and left.bit_length() + right.bit_length() > MAX_INT_BITS):
                    raise _TooCostly(_("the template builds a number that is too large"))
            elif operator == "**":
                if (isinstance(left, int) and isinstance(right, int) and right > 0
                        and abs(left) > 1
                        and right * math.log2(abs(left)) > MAX_INT_BITS):
                    raise _TooCostly(_("the template builds a number that is too large"))
            elif operator == "%" and isinstance(left, str):
                _check_format(left)
            return super().call_binop(context, operator, left, right)

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            wrapped = super().wrap_str_format(value)
            if wrapped is None:
                return None

            def checked(*args: Any, **kwargs: Any) -> str:
                _check_format(value.__self__)
                return wrapped(*args, **kwargs)

            return checked

        def call(__self, __context: jinja2.runtime.Context, __obj: Any,
                 *args: Any, **kwargs: Any) -> Any:
            budget.tick()
            return super().call(__context, __obj, *args, **kwargs)

    env = Sandbox(loader=loader, autoescape=html, finalize=None if html else md_escape,
                  undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                  keep_trailing_newline=True)
    for name in _GROWING_FILTERS:
        env.filters[name] = _bounded(name, env.filters[name])

    def counted_range(*args: int) -> Iterator[int]:
        numbers = safe_range(*args)  # at most MAX_RANGE numbers
        return _CountedRange(numbers, budget)

    env.globals["range"] = counted_range
    return env


class _CountedRange:
    """``range`` whose iteration checks the time budget (nested loops print nothing but can
    still run for hours)."""

    def __init__(self, numbers: range, budget: _Budget) -> None:
        self._numbers, self._budget = numbers, budget  # "_": out of the template's reach

    def __iter__(self) -> Iterator[int]:
        for i, n in enumerate(self._numbers):
            if i % 1000 == 0:
                self._budget.tick()
            yield n

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: Any) -> Any:
        return self._numbers[index]

    def __contains__(self, value: object) -> bool:
        return value in self._numbers

    def __reversed__(self) -> Iterator[int]:
        return reversed(self._numbers)

    def __repr__(self) -> str:
        return repr(self._numbers)


def environment(override: Path | None, *, html: bool) -> jinja2.Environment:
    """A sandboxed Jinja2 environment reading ``override`` first, then the packaged templates.

    ``html``: autoescape every value for HTML; otherwise escape every value for Markdown.
    """
    return _sandbox(_Loader(override).jinja_loader(), html, _Budget())


def _where(loader: _Loader, tb: TracebackType | None, name: str) -> tuple[str, int]:
    """The innermost template frame of a traceback: (shown file, line in the template)."""
    found = (name, 0)
    while tb is not None:
        shown = loader.shown.get(tb.tb_frame.f_code.co_filename)
        if shown is not None:
            found = (shown, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _explain(err: Exception) -> str:
    import jinja2
    from jinja2.sandbox import SecurityError

    detail = printable(str(err) or type(err).__name__)
    if isinstance(err, SecurityError):
        return _("the template tried to reach Python internals or change data ({detail}); a "
                 "report template may only print the report's data").format(detail=detail)
    if isinstance(err, _TooCostly):
        return str(err)
    if isinstance(err, RecursionError):
        return _("the template calls itself without end")
    if isinstance(err, jinja2.TemplateNotFound):
        return _("no such template: {name}").format(name=printable(err.name))
    if isinstance(err, jinja2.TemplateSyntaxError):
        return _("syntax error in the template: {detail}").format(
            detail=printable(err.message or ""))
    return _("the template failed: {detail}").format(detail=detail)


def render_template(name: str, data: dict[str, Any], override: Path | None, *,
                    html: bool) -> str:
    """Render template ``name`` with ``r`` = the data and ``L`` = its labels, sandboxed.

    A broken or hostile template (a syntax error, a misspelt field, an escape attempt, an
    endless loop) is a :class:`RenderError` naming the template file and line, never a
    traceback and never code run.
    """
    return render_sandboxed(name, {"r": data, "L": data.get("labels", {})}, override,
                            html=html)


def render_sandboxed(name: str, context: dict[str, Any], override: Path | None, *,
                     html: bool, finalize: Callable[[Any], str] | None = None) -> str:
    """Template ``name`` (the plan's override in ``override`` first) rendered with
    ``context`` in the sandbox: bounded output and time, no Python internals; ``finalize``
    replaces how printed values are escaped (plain text for a chat message)."""
    import jinja2

    loader = _Loader(override)
    budget = _Budget()
    env = _sandbox(loader.jinja_loader(), html, budget)
    if finalize is not None:
        env.finalize = finalize
    shown = name
    try:
        template = env.get_template(name)
        shown = loader.shown.get(template.filename or "", name)
        chunks: list[str] = []
        for chunk in template.generate(**context):
            budget.add(chunk)
            chunks.append(chunk)
            budget.tick()
        return "".join(chunks)
    except TemplateProblem as err:
        raise RenderError(err.text()) from None
    except jinja2.TemplateSyntaxError as err:
        where = loader.shown.get(err.filename or "", err.name or shown)
        raise RenderError(TemplateProblem(where, err.lineno, _explain(err)).text()) from None
    except Exception as err:  # any failure of untrusted template code
        where, line = _where(loader, err.__traceback__, shown)
        raise RenderError(TemplateProblem(where, line, _explain(err)).text()) from None


def render(data: dict[str, Any], override: Path | None = None) -> bytes:
    """The report as UTF-8 Markdown."""
    return render_template(TEMPLATE, data, override, html=False).encode("utf-8")


def render_report(data: dict[str, Any], options: ReportOptions) -> bytes:
    """The report format ``md`` of :data:`~dianchang_cli.render.REPORT_FORMATS`."""
    return render(data, options.templates)
