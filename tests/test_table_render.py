"""The default ``dc check`` output, laid out by dc itself: problems one per line, section
tables whose columns line up and fold, colour only in a terminal."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from dianchang_cli.api import Outcome, Repo, check
from dianchang_cli.core import QUIET
from dianchang_cli.render.table import fold, render, wrap_parts
from dianchang_cli.render.vocabulary import detail_text

READING = "type: 阅读活动\nunit: dongyuan\ndate: {day}\ntitle: 读书\n"
BORDERS = set("┏┳┓┃┡╇┩│└┴┘")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


@pytest.fixture
def outcome(repo: Repo, add: Callable[[str, str], Path]) -> Outcome:
    """Three invalid records (unknown fields), five warnings of one code (dated long
    before the plan year), one good record; checked at the end of the year."""
    for i in range(3):
        add(f"dongyuan/bad{i}.yaml", READING.format(day="2023-04-23") + f"dat{i}: x\n")
    for i in range(5):
        add(f"dongyuan/old{i}.yaml", READING.format(day=f"2001-04-0{i + 1}"))
    add("dongyuan/ok.yaml", READING.format(day="2023-04-23"))
    return check(repo, as_of=dt.date(2023, 12, 31), workers=1)


def shown(outcome: Outcome, verbose: bool = False, console: Console | None = None) -> str:
    out = io.StringIO()
    render(outcome, out, verbose, console=console)
    return out.getvalue()


def tables(text: str) -> list[list[str]]:
    """The lines of each box, top border to bottom border."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("┏"):
            blocks.append([])
        if blocks and (len(blocks[-1]) == 0 or not blocks[-1][-1].startswith("└")):
            blocks[-1].append(line)
    return blocks


def bar_columns(line: str) -> list[int]:
    """The display columns at which the line's box-drawing bars stand."""
    at, out = 0, []
    for ch in line:
        if ch in BORDERS:
            out.append(at)
        at += cell_len(ch)
    return out


def colour_codes(text: str) -> list[str]:
    """Every SGR parameter that sets a colour (foreground or background)."""
    params = [p for group in SGR.findall(text) for p in group.split(";") if p]
    return [p for p in params if p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107)]


def test_every_error_on_one_whole_line_once(outcome: Outcome) -> None:
    errors = [p for p in outcome.problems if p.severity == "error"]
    assert len(errors) == 3
    lines = shown(outcome).splitlines()
    for p in errors:
        assert len(p.text()) > 80  # longer than the width, and still one line
        assert lines.count(p.text()) == 1


def test_long_detail_folds_at_its_column_in_order(outcome: Outcome) -> None:
    worth = [r for r in outcome.results if r.status not in QUIET]
    longest = max((detail_text(r) for r in worth), key=cell_len)
    assert cell_len(longest) > 36
    text = shown(outcome)
    assert not any(longest in line for line in text.splitlines())
    cells = [line.split("│")[5] for block in tables(text) for line in block
             if line.startswith("│")]
    assert all(cell_len(c) <= 36 + 1 for c in cells)  # the cap, and the space before it
    flat = "".join(c.strip() for c in cells)
    assert longest.replace(" ", "") in flat.replace(" ", "")


def test_columns_line_up_within_80(outcome: Outcome) -> None:
    blocks = tables(shown(outcome, verbose=True))
    assert len(blocks) > 3
    for block in blocks:
        assert len({cell_len(line) for line in block}) == 1
        assert cell_len(block[0]) <= 80
        assert len({tuple(bar_columns(line)) for line in block}) == 1
        assert len(bar_columns(block[0])) == 6


def test_plain_text_when_not_a_terminal(outcome: Outcome) -> None:
    text = shown(outcome)
    assert "\x1b" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def _terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)


def test_colour_in_a_terminal_same_text_beneath(outcome: Outcome,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    plain = shown(outcome)
    _terminal(monkeypatch)
    coloured = shown(outcome)
    assert "\x1b[1;31m" in coloured  # the bold red heading of invalid records
    assert {"31", "33"} <= set(colour_codes(coloured))  # red errors, yellow warnings
    assert SGR.sub("", coloured) == plain


def test_no_color_drops_the_colours(outcome: Outcome, monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch)
    monkeypatch.setenv("NO_COLOR", "1")
    text = shown(outcome)
    assert colour_codes(text) == []
    assert "\x1b[1m" in text  # bold is not a colour: rules and headers stay bold


def test_a_given_console_decides_width_and_colour(outcome: Outcome) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=100)
    render(outcome, out, console=console)
    text = out.getvalue()
    assert colour_codes(text)
    widest = max(cell_len(SGR.sub("", line)) for block in tables(text) for line in block)
    assert 80 < widest <= 100


def test_verbose_lists_met_results_and_every_warning(outcome: Outcome, english: None) -> None:
    short, full = shown(outcome), shown(outcome, verbose=True)
    warnings = [p.text() for p in outcome.problems if p.severity == "warning"]
    assert sum(w in short.splitlines() for w in warnings) == 3
    assert "… and 2 more warnings (--verbose lists them all)" in short
    assert all(w in full.splitlines() for w in warnings)
    assert "more warnings" not in full
    assert "✓ met" not in short and "✓ met" in full


def test_summary_last_and_every_line_within_80(outcome: Outcome, english: None) -> None:
    text = shown(outcome)
    problems = {p.text() for p in outcome.problems}
    lines = text.splitlines()
    assert lines[-1].startswith("As of 2023-12-31: ") or lines[-2].startswith("As of")
    assert all(cell_len(line) <= 80 for line in lines if line not in problems)


def test_fold_breaks_at_spaces_and_between_characters() -> None:
    assert fold("第1社区党支部（示例） 2023-04", 24) == ["第1社区党支部（示例）", "2023-04"]
    pieces = fold("缺少：习近平新时代中国特色社会主义思想", 9)
    assert "".join(pieces) == "缺少：习近平新时代中国特色社会主义思想"
    assert all(cell_len(p) <= 9 for p in pieces) and len(pieces) == 5
    assert fold("ab 中文中文中文", 7) == ["ab 中文", "中文中", "文"]
    assert fold("ab 中文中文中文中文", 8) == ["ab 中文", "中文中文", "中文"]
    assert fold("short", 10) == ["short"]


def test_wrap_parts_breaks_between_parts() -> None:
    lines = wrap_parts("Scores: ", ["alpha 1", "beta 2", "gamma 3"], 24)
    assert lines == ["Scores: alpha 1 ·", "beta 2 · gamma 3"]
    assert wrap_parts("S: ", ["a", "b", "c"], 10) == ["S: a · b ·", "c"]
    assert wrap_parts("As of: ", ["x"], 80) == ["As of: x"]


def test_invalid_files_are_counted_alike_at_the_top_and_in_the_footer(
        repo: Repo, add: Callable[[str, str], Path]) -> None:
    """Two problems in one file and one in another: the heading and the summary line both
    say two invalid files (they used to count problems at the top)."""
    add("dongyuan/a.yaml", READING.format(day="2023-04-23") + "dat: x\nparticipants: 很多\n")
    add("dongyuan/b.yaml", READING.format(day="2023-04-23") + "dat: x\n")
    out = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert len([p for p in out.problems if p.severity == "error"]) == 3
    text = shown(out)
    assert "无效记录（2 条）" in text
    assert "无效文件 2 个" in text
