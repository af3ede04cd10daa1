"""``dc summary``: the written summary of a month, quarter or year, printed for a chat group.

``-f text`` (default) is a title line and a few plain lines to paste into a WeChat work
group; ``-f md`` is a short Markdown post with a heading.  The sentences come from the
template ``summary.txt.j2`` (``plan/templates/`` overrides the packaged one); the numbers
from the report model.  Exit 0; usage errors, a broken plan or a broken template exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from ..i18n import _
from .common import (
    EXIT_OK,
    format_choices,
    options,
    render_errors,
    repo_from,
)
from .report import PeriodOptions, period_from, period_outcome
from .typerhooks import DcCommand

SummaryFormat = format_choices("SummaryFormat", ("text", "md"))


@dataclass(frozen=True)
class SummaryOptions(PeriodOptions):
    """This command's own options (built after the language is set, like the shared ones)."""

    unit: Any = field(default_factory=lambda: typer.Option(
        None, "--unit", metavar=_("UNIT"), help=_("Only this unit (e.g. one community)."),
        show_default=False))
    format: Any = field(default_factory=lambda: typer.Option(
        "text", "--format", "-f", help=_(
            "text: plain lines for a chat group (default); md: a short Markdown post.")))


def register(app: typer.Typer) -> None:
    opt = options()
    own = SummaryOptions()

    @app.command(cls=DcCommand,
                 help=_("Print the written summary of a month, quarter or year: what was "
                        "done, what fell short, what is pending, how many data problems."))
    def summary(
        month: str | None = own.month,
        quarter: str | None = own.quarter,
        year: str | None = own.year,
        unit: str | None = own.unit,
        format: SummaryFormat = own.format,
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        as_of: str | None = opt.as_of,
    ) -> None:
        from ..report.build import build
        from ..report.summary import summarize, summary_text

        period = period_from(month, quarter, year)
        where = repo_from(repo, plan, records)
        outcome, ids = period_outcome(where, period, as_of, [unit] if unit else None)
        report = build(outcome, period, ids[0] if ids else None)
        with render_errors():
            text = summary_text(summarize(outcome, period, report),
                                where.plan_dir / "templates", str(format.value))
        print(text, end="")
        raise typer.Exit(EXIT_OK)
