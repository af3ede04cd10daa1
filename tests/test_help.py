"""``--help`` of every command, in Chinese at 80 columns: texts wrap, no type noise.

Chinese has no spaces, and rich breaks lines only at spaces unless told to fold: option
texts used to end in "…" at 80 columns while the English ones wrapped.  Type labels such as
``<bool>``, ``<list[str]>`` or ``<path>`` read as noise beside Chinese help.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import pytest
import typer

from dianchang_cli import i18n
from dianchang_cli.cli.app import COMMANDS as TABLE
from dianchang_cli.cli.app import build_app


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand of ``dc``, from the app itself (each module imported,
    as running the command would)."""
    before = i18n.current()
    try:
        group = typer.main.get_command(build_app())
        paths: list[tuple[str, ...]] = [()]

        def walk(command: object, prefix: tuple[str, ...]) -> None:
            if not hasattr(command, "list_commands"):
                return
            ctx = typer.Context(command)  # type: ignore[arg-type]
            for name in command.list_commands(ctx):
                paths.append((*prefix, name))
                walk(command.get_command(ctx, name), (*prefix, name))

        walk(group, ())
    finally:
        i18n.set_language(before)
    return paths


COMMANDS = _command_paths()
NOISE = ("<bool>", "list[", "<path>", "<str>", "<int>", "<list", "<Path>", "<float>")


def _help(path: tuple[str, ...], lang: str, columns: int = 80) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DC_LANG", "TERMINAL_WIDTH")}
    env |= {"COLUMNS": str(columns), "LANG": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "dianchang_cli", "--lang", lang, *path,
                           "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_every_command_is_covered() -> None:
    names = {p[0] for p in COMMANDS if p}
    assert {"check", "validate", "rules", "explain", "report", "ledger", "init", "plan"} <= names
    assert ("plan", "test") in COMMANDS
    assert [p[0] for p in COMMANDS if len(p) == 1] == list(TABLE)  # the table, in its order


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "dc")
def test_chinese_help_wraps_at_80_columns_without_type_noise(path: tuple[str, ...]) -> None:
    text = _help(path, "zh")
    lines = text.splitlines()
    cut = [line for line in lines if line.rstrip(" │").endswith("…")]
    assert not cut, "\n".join(cut)
    assert max(_width(line) for line in lines) <= 80
    for word in NOISE:
        assert word not in text, word


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "dc")
def test_english_help_wraps_too(path: tuple[str, ...]) -> None:
    text = _help(path, "en")
    assert not [line for line in text.splitlines() if line.rstrip(" │").endswith("…")]
    for word in NOISE:
        assert word not in text, word


def test_option_texts_are_shown_whole() -> None:
    """The last words of long option texts are there (they used to be cut off)."""
    text = _help(("check",), "zh").replace("│", "")
    flat = "".join(text.split())
    assert "（规则仍按全部记录计算）。" in flat or "(rules still see every record)" in flat
    assert "--version" in _help((), "zh")


def _usage_error(args: tuple[str, ...], lang: str | None) -> str:
    """What ``dc ARGS`` prints for a usage error (exit 2), its box flattened to one line."""
    env = {k: v for k, v in os.environ.items() if k not in ("DC_LANG", "TERMINAL_WIDTH")}
    env |= {"COLUMNS": "200", "LANG": "C.UTF-8"}
    lang_args = ("--lang", lang) if lang else ()
    done = subprocess.run([sys.executable, "-m", "dianchang_cli", *lang_args, *args],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return " ".join(done.stderr.replace("│", " ").split())


@pytest.mark.parametrize(("args", "chinese", "english"), [
    (("check", "--bogus"), "没有选项：--bogus", "No such option: --bogus"),
    (("check", "--as-of"), "选项 '--as-of' 需要一个值。", "Option '--as-of' requires a value."),
    (("validate",), "缺少参数 '文件'。", "Missing argument"),
    (("nosuchcmd",), "没有命令“nosuchcmd”。", "No such command 'nosuchcmd'."),
    (("chek",), "你是不是想用 'check'", "Did you mean 'check'"),
    (("check", "-f", "xml"), "的值无效：'xml' 不是可选的值（可选：'table'",
     "Invalid value for '--format' / '-f': 'xml' is not one of 'table'"),
    (("rules", "extra1", "extra2"), "多余的参数：extra1 extra2",
     "Unexpected extra arguments: extra1 extra2"),
])
def test_usage_errors_speak_the_language_of_the_rest(args: tuple[str, ...], chinese: str,
                                                     english: str) -> None:
    """cli.md: messages are Chinese by default — click's own usage errors too, inside the
    Chinese frame (错误, 运行 … 查看帮助); ``--lang en`` keeps click's English wording."""
    zh = _usage_error(args, None)
    assert chinese in zh and "错误" in zh
    assert not any(word in zh for word in ("No such", "Missing", "Invalid value", "requires",
                                           "Got unexpected", "Did you mean"))
    assert english in _usage_error(args, "en")
