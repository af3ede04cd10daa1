"""The CLI is thin: typed options, one plan-error guard, one writer, renderers that only
format, and typer's screens translated through its class hooks (no import machinery)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from dianchang_cli import i18n
from dianchang_cli.core import Repo
from dianchang_cli.diagnostics import PlanError, Problem
from dianchang_cli.records.batch import RecordSet

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DC_LANG"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=120)


def test_a_plain_run_does_not_load_typers_help_screens() -> None:
    """``typer.rich_utils`` (~100 ms) is imported for a help or error screen only."""
    done = _python(
        "import sys\n"
        "from dianchang_cli.cli import main\n"
        "try:\n"
        "    main(['rules', '--repo', '.'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print('typer.rich_utils' in sys.modules, code, file=sys.stderr)\n")
    assert done.stderr.strip().splitlines()[-1] == "False 0", done.stderr


def test_help_is_translated_without_import_hooks() -> None:
    done = _python(
        "import sys\n"
        "from dianchang_cli.cli import main\n"
        "try:\n"
        "    main(['rules', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sum(type(f).__module__.startswith('dianchang_cli') for f in sys.meta_path),\n"
        "      file=sys.stderr)\n")
    assert done.stderr.strip() == "0", done.stderr
    before = i18n.current()
    i18n.set_language("zh")
    try:
        assert i18n._("Options") in done.stdout
        assert i18n._("Show this message and exit.") in done.stdout
    finally:
        i18n.set_language(before)
    assert "<bool>" not in done.stdout


def test_commands_are_deferred_through_typers_class_hook() -> None:
    """The root group is typer's ``cls=`` (click's lazy-subcommand pattern), so building
    the app imports no command module; running one imports it."""
    done = _python(
        "import sys\n"
        "import typer\n"
        "from dianchang_cli.cli.app import DcApp, build_app\n"
        "from dianchang_cli.cli.typerhooks import LazyGroup\n"
        "group = typer.main.get_command(build_app())\n"
        "print(isinstance(group, LazyGroup), 'dianchang_cli.cli.todo' in sys.modules,\n"
        "      file=sys.stderr)\n"
        "group.get_command(typer.Context(group), 'todo')\n"
        "print('dianchang_cli.cli.todo' in sys.modules, sorted(group.commands),\n"
        "      file=sys.stderr)\n")
    assert done.stderr.strip().splitlines()[-2:] == ["True False", "True ['todo']"], done.stderr


def test_options_are_typed_and_frozen() -> None:
    from dianchang_cli.cli.common import SharedOptions, options

    opt = options()
    assert isinstance(opt, SharedOptions)
    assert {f.name for f in dataclasses.fields(opt)} == {"repo", "plan", "records", "as_of",
                                                         "unit"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.repo = None  # type: ignore[misc]


def test_a_broken_plan_is_exit_2_in_one_place(capsys: pytest.CaptureFixture[str]) -> None:
    from dianchang_cli.cli.common import EXIT_USAGE, plan_errors

    problem = Problem("plan/rules.yaml", 3, 1, "plan-invalid", "broken")
    with pytest.raises(typer.Exit) as caught, plan_errors():
        raise PlanError([problem])
    assert caught.value.exit_code == EXIT_USAGE
    assert problem.text() in capsys.readouterr().err


def test_load_plan_of_a_folder_without_a_plan_is_exit_2(tmp_path: Path) -> None:
    from dianchang_cli.cli.common import EXIT_USAGE, load_plan

    with pytest.raises(typer.Exit) as caught:
        load_plan(Repo.at(tmp_path))
    assert caught.value.exit_code == EXIT_USAGE


def test_one_writer_writes_and_refuses_in_a_sentence(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    from dianchang_cli.cli.common import EXIT_USAGE, write_file

    target = tmp_path / "deep" / "out.md"
    write_file(target, "表".encode())
    assert target.read_text(encoding="utf-8") == "表"
    (tmp_path / "file").write_text("x")
    with pytest.raises(typer.Exit) as caught:
        write_file(tmp_path / "file" / "inside.md", b"x")
    assert caught.value.exit_code == EXIT_USAGE
    assert "inside.md" in capsys.readouterr().err


def test_text_or_json_is_checked_one_way() -> None:
    from dianchang_cli.cli.common import text_or_json

    assert text_or_json("json") == "json"
    with pytest.raises(typer.Exit):
        text_or_json("xml")


@pytest.mark.usefixtures("english")
def test_validate_renderer_formats_only() -> None:
    from dianchang_cli.render.validate import render

    bad = Problem("records/a.yaml", 2, 1, "unknown-field", "dat: unknown field")
    warn = Problem("records/b.yaml", 1, 1, "odd", "odd", severity="warning")
    loaded = RecordSet(problems=[bad, warn], files=2)
    text = io.StringIO()
    render(loaded, "text", text)
    assert text.getvalue().splitlines() == [bad.text(), warn.text(),
                                            "2 files checked, 1 invalid"]
    out = io.StringIO()
    render(loaded, "json", out)
    assert json.loads(out.getvalue()) == {"files": 2, "records": 0,
                                          "errors": [bad.as_json()]}


@pytest.mark.usefixtures("english")
def test_audit_renderer_without_findings(repo: Repo) -> None:
    from dianchang_cli.cli.common import load_plan
    from dianchang_cli.render.audit import render

    plan = load_plan(repo)
    out = io.StringIO()
    render(plan, 3, [], "text", out)
    assert out.getvalue() == "3 commits read, 0 by identities not listed for the unit\n"
    out = io.StringIO()
    render(plan, 3, [], "json", out)
    assert json.loads(out.getvalue()) == {"commits": 3, "findings": []}


# ---------------------------------------------------------------- Windows consoles
def test_redirected_output_is_utf8_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a redirected stdout is in the code page (cp936): ✓ would stop dc and
    JSON declared UTF-8 would not be; it is reconfigured to UTF-8 there, and only there."""
    import io

    from dianchang_cli.cli import utf8_when_redirected

    for platform, expected in (("win32", "utf-8"), ("linux", "cp936")):
        out = io.TextIOWrapper(io.BytesIO(), encoding="cp936")
        err = io.TextIOWrapper(io.BytesIO(), encoding="cp936")
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        utf8_when_redirected(platform)
        assert (out.encoding, err.encoding) == (expected, expected)
        if expected == "utf-8":
            print("✓ 达标", file=out)  # would raise UnicodeEncodeError in cp936
            out.flush()
            assert out.buffer.getvalue() == "✓ 达标\n".encode()  # type: ignore[attr-defined]


def test_wildcards_are_expanded_on_windows(tmp_path: Path) -> None:
    """cmd and PowerShell hand ``*.yaml`` over as it is: dc expands it there; an argument
    matching nothing, an option, or any argument elsewhere stays as typed."""
    from dianchang_cli.cli import expand_wildcards

    for name in ("b.yaml", "a.yaml", "c.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    pattern = str(tmp_path / "*.yaml")
    args = ["validate", pattern, str(tmp_path / "*.none"), "--set=名称=a*b"]
    assert expand_wildcards(args, "win32") == [
        "validate", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"),
        str(tmp_path / "*.none"), "--set=名称=a*b"]
    assert expand_wildcards(args, "linux") == args
