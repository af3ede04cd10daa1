"""``dc init``'s output: what was created or is in the way, where the plan came from, and
what to do next.  The command only builds the repository; these lines only tell of it."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TextIO

from ..diagnostics import Problem, printable
from ..i18n import _


def render_clash(directory: Path, clash: Iterable[str], out: TextIO) -> None:
    """The files that exist already (nothing was written)."""
    print(_("dc init: these files exist already (use --force to overwrite them):"), file=out)
    for name in clash:
        print(f"  {printable(str(directory / name))}", file=out)


def render_written(directory: Path, written: Iterable[str], clash: Collection[str],
                   source: Path | None, out: TextIO) -> None:
    """Each file written (created or overwritten) and where the plan came from."""
    for name in written:
        word = _("overwrote") if name in clash else _("created")
        print(f"{word} {printable(str(directory / name))}", file=out)
    print(_("plan copied from {src}").format(src=printable(str(source))) if source is not None
          else _("plan: the minimal packaged example (one type, one rule); use --plan to copy "
                 "a full plan"), file=out)


def render_example_problems(problems: Iterable[Problem], out: TextIO) -> None:
    """Example records that do not fit the copied plan (they are only examples)."""
    for p in problems:
        if p.severity == "error":
            print(_("note: the example does not fit this plan: {p}").format(p=p.text()),
                  file=out)


def render_next(directory: Path, out: TextIO) -> None:
    print(_("next: edit plan/units.yaml, then run `git init` and `dc check` in {dir}")
          .format(dir=printable(str(directory))), file=out)
