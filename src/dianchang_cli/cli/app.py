"""Build the typer app: one module per command, each with a ``register(app)``.

Commands are imported when they run, not to be listed: :data:`COMMANDS` names each
command's module and the one-line help ``dc --help`` shows beside it, so ``dc --help``
imports no command module and ``dc validate`` imports only ``cli/validate.py`` (with what
that imports).  :class:`~.typerhooks.LazyGroup` does the deferring.

**Adding a command** stays "one module": write ``cli/<command>.py`` with a
``register(app: typer.Typer)`` that adds it (``@app.command(cls=DcCommand, help=_(...))``, or
a ``typer.Typer(cls=DcGroup)`` group with ``app.add_typer``), and add one line to
:data:`COMMANDS` below, with the same help text as the command's ``help=``; the tests hold
the two equal and find a command module missing from the table.  Nothing else names it.

Help and error screens in the active language come from :mod:`.typerhooks` (typer's
supported class hooks, and the patches typer leaves no hook for, each said why).
"""

from __future__ import annotations

from collections.abc import Mapping

import typer

from ..i18n import N_, _
from .typerhooks import Lazy, LazyGroup, quiet_argument_types

# Command name → (module in this package, its one-line help), in the order ``dc --help``
# lists them.  The help is the command's own ``help=`` (marked here, translated on use).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", N_(
        "Validate every record, evaluate every rule and print the results. Exit 1 when "
        "something fails (see --fail-on), 2 for a broken plan.")),
    "validate": ("validate", N_(
        "Validate only the given record files; no rule is evaluated. Exit 1 if any is "
        "invalid.")),
    "todo": ("todo", N_(
        "What is still to do: for a unit, what the current month, quarter, year, "
        "festival and other periods still need (by due day), what fell short recently, "
        "and its invalid records; without --unit, every community with its open items "
        "and score. Exit 0 even when things are owed.")),
    "new": ("new", N_(
        "Create one record file. Give the type and the values with --set, or answer the "
        "questions at a terminal; the file is checked like dc check before it is written.")),
    "import": ("import_cmd", N_(
        "Import records from Excel/WPS workbooks (.xlsx, .xls, .ods) or CSV files: one "
        "record file per valid row, each checked like dc check; rows already imported "
        "are left alone, changed ones are shown (and written with --update).")),
    "schema": ("schema", N_(
        "Print the JSON Schema of a record file, generated from the plan: editors such "
        "as VS Code with the YAML extension use it to complete fields and values and to "
        "mark mistakes while a record is typed. Run it again after the plan changes: dc "
        "schema -o records.schema.json")),
    "fmt": ("fmt", N_(
        "Rewrite record files into one canonical form: fields in the type's order, keys "
        "spelled one way, the usual indentation; comments and values stay as written. A "
        "folder stands for every record file below it. Exit 1 if a file could not be "
        "formatted (or, with --check, if any would change).")),
    "rules": ("rules", N_(
        "List every rule with its id, name, item, scope, period, target and basis, "
        "grouped by the plan's sections.")),
    "explain": ("rules", N_(
        "Show a rule, its quoted source clause, and the records that count toward it.")),
    "report": ("report", N_(
        "Render the status report of a month, quarter or year as Markdown, HTML, PDF or "
        "Word (default file: reports/<period>[-<unit>].<format>) and print the path "
        "written.")),
    "summary": ("summary", N_(
        "Print the written summary of a month, quarter or year: what was done, what fell "
        "short, what is pending, how many data problems.")),
    "ledger": ("ledger", N_(
        "Write the monthly volunteer service ledger (rows, totals, per-unit subtotals) "
        "from the records, as Markdown, xlsx or PDF, and print the file's path.")),
    "calendar": ("calendar", N_(
        "Write the plan's deadlines as a calendar file (.ics) to import into a phone, "
        "WPS or Outlook calendar: monthly due days, fixed due dates, the ends of months, "
        "quarters and the year, festival windows and named windows, each with a "
        "reminder. Importing it again updates the events instead of adding them twice.")),
    "export": ("export", N_(
        "Write one evaluation as tables for other tools: the results, the records (a "
        "common table and one per record type) and a small meta table, as Parquet "
        "(default), CSV or JSON Lines in folders plan=<id>/year=<yyyy>/ under -o "
        "(default: export/), and print the folder.")),
    "aggregate": ("aggregate", N_(
        "Load many subdistricts' exports (or repositories, exported first) into one "
        "DuckDB database file and print its path; --report writes the district view "
        "(subdistricts × months heatmap, rates per item, lowest-scoring communities) as "
        "Markdown, HTML or PDF.")),
    "init": ("init", N_(
        "Create a new records repository in DIR: plan/ (a copy of --plan, of "
        "--from-repo's plan/, of ./plan when it exists, else a minimal packaged plan) "
        "with a commented units.yaml template, records/, examples/, evidence/ (large "
        "files ignored), reports/, a README for community staff, GitHub Actions and "
        "GitLab CI files, records.schema.json and .vscode/ settings for editors. Refuses "
        "to overwrite existing files unless --force (exit 1).")),
    "audit": ("audit", N_(
        "List every commit that added, changed or deleted records of a unit by an author "
        "email not listed under `git:` for that unit, the community above it or the "
        "subdistrict in plan/units.yaml. The unit is the record's `unit:` (else its "
        "folder records/<unit>/). Exit 1 if any is found, 2 without git or for a bad "
        "revision.")),
    "codeowners": ("codeowners", N_(
        "Write a CODEOWNERS file: subdistrict staff own plan/ and records/, each unit's "
        "identities own records/<unit>/. Default: CODEOWNERS at the repository root "
        "(read by GitHub and GitLab); `--output -` prints it.")),
    "template": ("template", N_(
        "Write templates to fill in instead of YAML.")),
    "plan": ("plan_cmd", N_(
        "Work on the plan itself: run its test cases.")),
}


class DcApp(LazyGroup):
    """The ``dc`` group: its commands are :data:`COMMANDS`, imported on first use."""

    def lazy_commands(self) -> Mapping[str, Lazy]:
        return {name: Lazy(f"{__package__}.{module}", _(text))
                for name, (module, text) in COMMANDS.items()}


def version() -> str:
    """The installed version of dianchang-cli (the package's own when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("dianchang-cli")
    except PackageNotFoundError:
        from .. import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        print(f"dc {version()}")
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    """The ``dc`` app, in the active language; no command module is imported yet."""
    quiet_argument_types()
    app = typer.Typer(
        name="dc",
        cls=DcApp,
        help=_("dc — checks a subdistrict's work plan against the records its communities "
               "commit."),
        no_args_is_help=True,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        lang: str = typer.Option("zh", "--lang", metavar="zh|en", help=_(
            "Language of messages and reports: zh (default) or en.")),
        version: bool = typer.Option(False, "--version", metavar="", is_eager=True,
                                     callback=_print_version,
                                     help=_("Print the version of dc and exit.")),
    ) -> None:
        """(--lang is read before the app is built; this keeps it in --help.)"""

    return app
