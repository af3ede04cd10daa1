"""Options shared by the commands, and the one place where library errors meet exit codes.

Every "no" of the command line is exit 2 with one sentence on stderr: a bad option value,
a ``--unit``/``--rule`` naming nothing, a missing records folder, a broken plan.  Values a
user typed are quoted through :func:`~dianchang_cli.diagnostics.printable` (escaped,
at most 200 characters).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from ..core import Repo
from ..diagnostics import PlanError, printable
from ..i18n import _, os_reason

if TYPE_CHECKING:
    from ..engine.periods import Period
    from ..outcome import Outcome
    from ..planfile.plan import Plan

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
NO_METAVAR = ""  # flags take no value: no type label such as <bool> in --help


@dataclass(frozen=True)
class SharedOptions:
    """The typer option objects several commands share, one typed field each.

    Built by :func:`options` after the language is set, so their help is translated.
    Metavars are words (文件夹, 日期, 单位) instead of typer's type labels (``<path>``,
    ``<list[str]>``), which read as noise in Chinese help.
    """

    repo: Any
    plan: Any
    records: Any
    as_of: Any
    unit: Any


def options() -> SharedOptions:
    """The shared options, in the active language."""
    return SharedOptions(
        repo=typer.Option(None, "--repo", metavar=_("FOLDER"), help=_(
            "The records repository: plan/ and records/ below it (default: current folder)."),
            show_default=False),
        plan=typer.Option(None, "--plan", metavar=_("FOLDER"),
                          help=_("The plan folder (default: REPO/plan)."), show_default=False),
        records=typer.Option(None, "--records", metavar=_("FOLDER"),
                             help=_("The records folder (default: REPO/records)."),
                             show_default=False),
        as_of=typer.Option(None, "--as-of", metavar=_("DATE"), help=_(
            "Evaluate as of the end of this day, e.g. 2023-06-30 (default: now, at most the "
            "plan year's end; a deadline due today is still pending until the day is over)."),
            show_default=False),
        unit=typer.Option(None, "--unit", metavar=_("UNIT"),
                          help=_("Only this unit (repeatable)."), show_default=False),
    )


TEXT_OR_JSON = ("text", "json")


def text_or_json_option() -> Any:
    """``--format/-f text|json`` of the commands that print text or json (audit, validate);
    :func:`text_or_json` checks its value."""
    return typer.Option("text", "--format", "-f", metavar="text|json", help=_("text or json."))


def text_or_json(value: str) -> str:
    """``value`` when it is text or json; exit 2 otherwise."""
    if value not in TEXT_OR_JSON:
        fail_usage(_("--format must be text or json"))
    return value


def format_choices(name: str, formats: Iterable[str]) -> type[Enum]:
    """The typer choice type of a ``--format`` whose values are the registry's names:
    typer refuses any other value with its usage error (check, report, ledger)."""
    return Enum(name, {n: n for n in formats}, type=str)  # type: ignore[return-value]


def repo_from(repo: Path | None, plan: Path | None, records: Path | None) -> Repo:
    return Repo.at(repo or Path("."), plan, records)


_ANY_DAY = re.compile(r"^(\d{4}) ?(?:-|/|\.|年) ?(\d{1,2}) ?(?:-|/|\.|月) ?(\d{1,2})(?: ?日)?$")


def as_of_from(value: str | None) -> dt.date | None:
    """``--as-of``'s day; exit 2 with a sentence when it is not a day.

    Written like a record's date (2023-06-30, 2023/6/30, 2023年6月30日), but any day of the
    calendar is allowed: ``--as-of 9999-12-31`` asks for everything, ``0001-01-01`` for
    nothing, and the engine answers both (a record's date must lie in a sane range; the day
    a question is asked about need not).
    """
    if value is None:
        return None
    from ..records.values import BadValue, read_date

    try:
        return read_date(value)
    except BadValue as exc:
        text = " ".join(value.split()) if len(value) <= 64 else ""
        match = _ANY_DAY.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                pass
        fail_usage(_("--as-of {value}: not a day; write {expected}").format(
            value=printable(value), expected=exc.expected))


def plan_failed(err: PlanError) -> NoReturn:
    """A broken plan: every problem on stderr with its place, then exit 2."""
    print(_("The plan cannot be used:"), file=sys.stderr)
    for problem in err.problems:
        print(f"  {problem.text()}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


@contextmanager
def plan_errors() -> Iterator[None]:
    """The one place where a :class:`PlanError` becomes exit 2 (see :func:`plan_failed`)."""
    try:
        yield
    except PlanError as err:
        plan_failed(err)


@contextmanager
def render_errors() -> Iterator[None]:
    """A broken template or a missing font (a renderer's ``RenderError``): its message on
    stderr, exit 2."""
    from ..render.typst_engine import RenderError

    try:
        yield
    except RenderError as err:
        fail_usage(err.message)


def load_plan(where: Repo) -> Plan:
    """The plan of ``where``; exit 2 when it is broken."""
    from ..engine.plancheck import load_plan as load

    with plan_errors():
        return load(where.plan_dir, where.root)


def write_file(path: Path, data: bytes) -> None:
    """The one writer of output files: atomically, parents created; exit 2 with a sentence
    when the file cannot be written."""
    from ..render.atomic import write_bytes

    try:
        write_bytes(path, data)
    except (OSError, ValueError) as exc:
        cannot_write(path, exc)


def cannot_write(path: Path | str, error: str | BaseException) -> NoReturn:
    """Exit 2 with the one sentence for an output ``path`` that could not be written;
    ``error`` says why (an exception in the active language: :func:`~..i18n.os_reason`)."""
    if not isinstance(error, str):
        error = os_reason(error)
    fail_usage(_("Cannot write {path}: {error}").format(path=printable(str(path)),
                                                         error=printable(error)))


def fail_usage(message: str) -> NoReturn:
    print(message, file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def run_check(where: Repo, *, as_of: dt.date | None = None,
              units: Collection[str] | None = None, rules: Collection[str] | None = None,
              changed_since: str | None = None, cache: bool = True) -> Outcome:
    """:func:`api.check` (the pipeline with git facts), its usage errors and plan errors
    turned into exit 2.  Looked up on the facade at each call, as library users see it.
    ``cache=False`` (``dc check --no-cache``) neither reads nor writes the record cache."""
    from .. import api
    from ..gitrepo.changes import RevisionError
    from ..pipeline import UsageError

    try:
        with plan_errors():
            return api.check(where, as_of=as_of, units=units, rules=rules,
                             changed_since=changed_since, cache=cache)
    except (RevisionError, UsageError) as err:
        fail_usage(str(err))


def require_unit(plan: Plan, unit: str) -> str:
    """The id of the one unit ``--unit`` names (by id or by name); exit 2 as
    :func:`require_units` does."""
    return (require_units(plan, [unit]) or [unit])[0]


def require_units(plan: Plan, units: Collection[str] | None) -> list[str] | None:
    """The ids of the units ``--unit`` names (by id or by name); exit 2 listing the plan's
    units when it names one the plan does not have."""
    from ..pipeline import UsageError, require_known

    try:
        return require_known(plan, units)
    except UsageError as err:
        fail_usage(str(err))


def print_notes(outcome: Outcome) -> None:
    """The outcome's notes (no git, shallow clone …) on stderr, one line each."""
    for note in outcome.notes:
        print(_("note: {note}").format(note=note), file=sys.stderr)


_SUFFIXES = {"markdown": "md", "htm": "html", "yml": "yaml"}


def format_named(suffix: str) -> str:
    """The format a file suffix (lower case, no dot) names: ``htm`` is ``html`` and so on."""
    return _SUFFIXES.get(suffix, suffix)


def output_format(fmt: str | None, output: Path | None, formats: Sequence[str],
                  default: str) -> str:
    """The format to write: ``-f``, else the suffix of ``-o``, else ``default``.

    Exit 2 when the suffix is a format other than ``-f`` (``-f pdf -o x.md``), or when
    ``-o``'s suffix names no format and ``-f`` is not given (``-o x.docx``).  A name without
    a suffix takes ``-f`` or the default; ``-f md -o notes.txt`` writes Markdown.
    """
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    named = format_named(suffix)
    if fmt is not None:
        if named in formats and named != fmt:
            fail_usage(_("-o {path} ends in .{suffix}, but -f asks for {fmt}: make them agree "
                         "or leave one out").format(path=printable(str(output)),
                                                    suffix=printable(suffix), fmt=fmt))
        return fmt
    if not suffix:
        return default
    if named not in formats:
        fail_usage(_("-o {path}: cannot tell the format from .{suffix}; use one of {known} "
                     "or give -f").format(path=printable(str(output)), suffix=printable(suffix),
                                          known=", ".join("." + f for f in formats)))
    return named


def one_output(output: Path | None, units: Sequence[str]) -> None:
    """``-o`` names one file: exit 2 when several ``--unit`` would each need one."""
    if output is not None and len(units) > 1:
        fail_usage(_("-o names one file, but {n} units were given: leave -o out to write "
                     "one file per unit under reports/").format(n=len(units)))


_MONTH_LIKE = re.compile(r"^\s*\d+-\d+\s*$")


def period_option(kind: str, text: str, option: str | None = None) -> Period:
    """``--month 2023-04`` / ``--quarter 2023-Q2`` / ``--year 2023`` → the period; exit 2
    with an example of the right form otherwise (also for years no calendar has)."""
    from ..report import parse_period

    try:
        period = parse_period(kind, text)
    except (ValueError, OverflowError):
        period = None
    if period is None or not 1 <= period.start.year <= 9998:
        example = {"month": "2023-04", "quarter": "2023-Q2", "year": "2023"}[kind]
        fail_usage(_("{option} {value}: write it like {example}").format(
            option=option or f"--{kind}", value=printable(text), example=example))
    return period


def month_like(text: str) -> bool:
    """Whether ``text`` is written like a month (digits, a dash, digits)."""
    return bool(_MONTH_LIKE.match(text))

