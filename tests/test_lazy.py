"""Small commands import only what they need: ``dc --help`` lists every command from the
table in ``cli/app.py`` without importing a command module, ``dc validate`` imports no
other command's module, and the plan ``dc validate`` loads is still checked.

No timed test: what is held here is what is imported (``sys.modules`` in a fresh process)
and that the lazy screens say what the eager ones said.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from dianchang_cli import i18n
from dianchang_cli.cli import app as app_module
from dianchang_cli.cli.app import COMMANDS, build_app
from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine import plancheck
from plans import ROOT, make_plan

CLI = ROOT / "src" / "dianchang_cli" / "cli"
RECORD = next(iter(sorted((ROOT / "records").rglob("*.yaml"))))
SHARED = {"__init__", "app", "common", "typerhooks"}  # cli modules that are no command


def _run(code: str) -> subprocess.CompletedProcess[str]:
    """Python ``code`` in a fresh process, in the repository, without a language set."""
    env = {k: v for k, v in os.environ.items() if k not in ("DC_LANG", "TERMINAL_WIDTH")}
    env |= {"COLUMNS": "100", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=120)


def _modules_after(args: list[str]) -> set[str]:
    """The ``dianchang_cli.cli.*`` modules a fresh process has imported after ``dc ARGS``."""
    done = _run(
        "import json, sys\n"
        "from dianchang_cli.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    return {m.rsplit(".", 1)[1] for m in loaded if m.startswith("dianchang_cli.cli.")}


def _command_modules() -> list[str]:
    """Every module of ``cli/`` with a ``register(app)``: each one defines commands."""
    out = []
    for path in sorted(CLI.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.FunctionDef) and n.name == "register" for n in tree.body):
            out.append(path.stem)
    return out


def _built(module: str) -> dict[str, str]:
    """Command name → help of the commands ``cli/<module>.py`` registers (built eagerly)."""
    import importlib

    holder = typer.Typer()
    holder.callback()(lambda: None)
    importlib.import_module(f"dianchang_cli.cli.{module}").register(holder)
    group = typer.main.get_command(holder)
    return {name: cmd.help or "" for name, cmd in group.commands.items()}  # type: ignore[attr-defined]


def test_help_imports_no_command_module() -> None:
    assert _modules_after(["--help"]) <= SHARED
    assert _modules_after([]) <= SHARED  # no arguments: the same help screen


def test_validate_imports_only_its_own_command_module() -> None:
    assert _modules_after(["validate", "--repo", str(ROOT), str(RECORD)]) <= SHARED | {
        "validate"}


def test_validate_imports_nothing_it_does_not_need() -> None:
    """``dc validate`` runs on every commit: no help screens, no template, spreadsheet,
    prompt, calendar or database library."""
    done = _run(
        "import sys\n"
        "from dianchang_cli.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(RECORD)!r}])\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, file=sys.stderr)\n"
        "print(sorted(m for m in ('typer.rich_utils', 'jinja2', 'openpyxl', 'ruamel.yaml',\n"
        "             'questionary', 'duckdb', 'docx', 'icalendar')\n"
        "             if m in sys.modules), file=sys.stderr)\n")
    assert done.stderr.strip().splitlines()[-2:] == ["0", "[]"], done.stderr


def test_a_command_imports_its_module_only() -> None:
    assert _modules_after(["rules", "--repo", str(ROOT)]) <= SHARED | {"rules"}
    assert _modules_after(["plan", "--help"]) <= SHARED | {"plan_cmd"}


@pytest.mark.parametrize("module", _command_modules())
def test_every_command_module_is_in_the_table(module: str) -> None:
    """A module that registers a command has its line in COMMANDS, with the same help."""
    built = _built(module)
    listed = {name: i18n._(text) for name, (mod, text) in COMMANDS.items() if mod == module}
    assert built == listed, f"add each command of cli/{module}.py to COMMANDS in cli/app.py"


def test_the_table_names_real_modules() -> None:
    modules = set(_command_modules())
    assert {mod for mod, _text in COMMANDS.values()} <= modules
    assert len(COMMANDS) >= 18


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_lists_every_command_in_order_with_its_help(lang: str) -> None:
    done = _run("from dianchang_cli.cli import main\n"
                f"main(['--lang', '{lang}', '--help'])\n")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    names = [line.split("│")[1].split()[0] for line in text.splitlines()
             if line.startswith("│ ") and line[2:3].isalpha() and not line[2:3].isspace()]
    commands_panel = names[names.index("check"):]
    assert commands_panel == list(COMMANDS)
    before = i18n.current()
    i18n.set_language(lang)
    try:
        flat = "".join(text.replace("│", "").split())
        for _module, help_text in COMMANDS.values():
            assert "".join(i18n._(help_text).split()) in flat
    finally:
        i18n.set_language(before)


def test_each_command_runs_its_own_help_in_process() -> None:
    """``dc <command> --help`` for every listed command (subprocess screens: test_help)."""
    from typer.testing import CliRunner

    for name in COMMANDS:
        result = CliRunner().invoke(build_app(), [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert name in result.output


def test_a_mistyped_command_is_still_given_suggestions() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(build_app(), ["chek"])
    assert result.exit_code == 2
    assert "'check'" in result.output


def test_the_app_module_documents_how_to_add_a_command() -> None:
    doc = app_module.__doc__ or ""
    assert "COMMANDS" in doc and "register" in doc


# ------------------------------------------------------------- the plan dc validate loads
def _plan(root: Path, where: str) -> Path:
    """The packaged minimal plan, two units, one rule with this ``where``, an empty ``records``."""
    plan = make_plan(root, where=where)
    (root / "records").mkdir()
    return plan


def test_without_examples_a_condition_that_fails_on_records_is_left_to_check(
        tmp_path: Path) -> None:
    plan_dir = _plan(tmp_path, 'r.participants > "many"')  # compiles, fails on every record
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    assert "`where`" in err.value.problems[0].message
    plan = plancheck.load_plan(plan_dir, tmp_path, examples=False)
    assert plan.rules


@pytest.mark.parametrize("where", ["r.participants >", "r.no_such_field > 1"])
def test_without_examples_a_broken_condition_is_still_reported(tmp_path: Path,
                                                                where: str) -> None:
    plan_dir = _plan(tmp_path, where)
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path, examples=False)
    [problem] = err.value.problems
    assert problem.file == "plan/rules.yaml" and "`where`" in problem.message


def test_dc_validate_reports_a_broken_plan_as_exit_2(tmp_path: Path) -> None:
    _plan(tmp_path, "r.participants >")
    record = tmp_path / "records" / "r.yaml"
    record.write_text("type: x\n", encoding="utf-8")
    from typer.testing import CliRunner

    result = CliRunner().invoke(build_app(), ["validate", "--repo", str(tmp_path),
                                              str(record)])
    assert result.exit_code == 2
    assert "rules.yaml" in result.output
