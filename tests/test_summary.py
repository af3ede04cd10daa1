"""The written summary (``dc summary``): its numbers are the report model's, it is plain text
for a chat group (or a short Markdown post), it follows a unit, and a plan's own template
replaces the packaged one inside the sandbox."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dianchang_cli.api import Outcome, Repo, check
from dianchang_cli.cli.app import build_app
from dianchang_cli.engine.periods import Period
from dianchang_cli.report import parse_period
from dianchang_cli.report.build import build, report_as_of
from dianchang_cli.report.model import Report
from dianchang_cli.report.summary import Summary, grouped, summarize, summary_text

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "plan" / "templates"
MARKDOWN = re.compile(r"[#*_`|\[\]<>~]")  # what would turn plain text into markup


@cache
def _outcome(kind: str, label: str) -> tuple[Outcome, Period]:
    period = parse_period(kind, label)
    assert period is not None
    return check(Repo.at(ROOT), as_of=report_as_of(period)), period


def _summary(kind: str, label: str, unit: str | None = None) -> tuple[Summary, Report]:
    outcome, period = _outcome(kind, label)
    report = build(outcome, period, unit)
    return summarize(outcome, period, report), report


def _number(text: str) -> float:
    return float(text.replace(",", "")) if text else 0.0


def _dc(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), ["summary", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("kind", "label"), [("month", "2023-05"), ("quarter", "2023-Q3"),
                                             ("year", "2023")])
def test_numbers_are_the_report_models(kind: str, label: str) -> None:
    summary, report = _summary(kind, label)
    for name, field in (("participants", "participants"), ("volunteers", "volunteers"),
                        ("hours", "hours")):
        total = sum(_number(getattr(u.totals, field)) for u in report.units)
        assert total > 0 and getattr(summary, name) == grouped(total), name
    shown = {c.cell.status: grouped(c.n) for c in report.counts if c.n}
    assert {c.status: c.count for c in summary.counts} == {
        s: n for s, n in shown.items() if s != "info"}
    failing = {(u.id, o.rule) for u in report.units for o in u.owed if o.cell.status == "unmet"}
    assert failing <= {(u.unit, m.rule) for u in summary.shortfalls for m in u.misses}
    assert summary.problems == grouped(len(report.problems))
    assert summary.date == report.provenance.as_of_text


def test_a_months_records_by_type() -> None:
    """A month's report lists every event record: the summary counts the same, by type."""
    summary, report = _summary("month", "2023-05")
    events = [e for u in report.units for e in u.events]
    assert summary.events == grouped(len(events))
    by_type = Counter(e.type for e in events)
    assert summary.types_total == grouped(len(by_type))
    for t in summary.types:
        assert t.count == grouped(by_type[t.name])
    counts = [by_type[t.name] for t in summary.types]
    assert counts == sorted(counts, reverse=True) and counts[0] == max(by_type.values())


def test_a_units_own_summary() -> None:
    outcome, _period = _outcome("month", "2023-05")
    unit = outcome.plan.units_of_kind("community")[1].id
    summary, report = _summary("month", "2023-05", unit)
    name = outcome.plan.unit_name(unit)
    assert summary.who == name and not summary.whole and summary.title.startswith(name)
    assert summary.events == grouped(len(report.units[0].events))
    assert summary.participants == grouped(_number(report.units[0].totals.participants))
    assert {s.unit for s in summary.shortfalls} <= {unit}
    text = summary_text(summary, TEMPLATES)
    assert name in text and "及所属各社区" not in text


def test_plain_text_for_a_chat_group() -> None:
    code, out, _err = _dc("--month", "2023-05", "--repo", str(ROOT))
    summary, _report = _summary("month", "2023-05")
    assert code == 0
    lines = out.splitlines()
    assert 3 <= len(lines) <= 12 and all(line.strip() for line in lines)
    assert not MARKDOWN.search(out), out
    assert summary.participants in out and summary.events in out
    assert f"{summary.period}，" in out


def test_full_width_punctuation() -> None:
    for kind, label in (("month", "2023-05"), ("quarter", "2023-Q3"), ("year", "2023")):
        summary, _report = _summary(kind, label)
        text = summary_text(summary, TEMPLATES)
        body = re.sub(r"(?<=\d),(?=\d{3})|(?<=\d)\.(?=\d)", "", text)  # 1,236 and 1,539.5
        assert not re.search(r"[,;:!?()]", body), text
        assert "，" in text and "。" in text


def test_markdown_post_has_a_heading() -> None:
    code, out, _err = _dc("--quarter", "2023-Q2", "--repo", str(ROOT), "-f", "md")
    assert code == 0 and out.startswith("## ") and "\n\n" in out


def test_period_errors_like_dc_report() -> None:
    assert _dc("--month", "2023-13", "--repo", str(ROOT))[0] == 2
    assert _dc("--month", "2023-05", "--year", "2023", "--repo", str(ROOT))[0] == 2
    assert _dc("--month", "2024-01", "--repo", str(ROOT))[0] == 2
    code, _out, err = _dc("--month", "2023-05", "--unit", "no-such-unit", "--repo", str(ROOT))
    assert code == 2 and "no-such-unit" in err


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the demo repository (plan and records) to put templates in."""
    shutil.copytree(ROOT / "plan", tmp_path / "plan")
    shutil.copytree(ROOT / "records", tmp_path / "records")
    return tmp_path


def test_the_plans_template_replaces_the_packaged_one(demo: Path) -> None:
    folder = demo / "plan" / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "summary.txt.j2").write_text(
        "本月活动{{ s.events }}次。\n\n{% for u in s.shortfalls %}{{ u.name }}待整改。\n"
        "{% endfor %}", encoding="utf-8")
    code, out, _err = _dc("--month", "2023-05", "--repo", str(demo))
    summary, _report = _summary("month", "2023-05")
    assert code == 0 and summary.shortfalls  # the loop below prints something
    assert out.splitlines()[1] == f"本月活动{summary.events}次。"
    assert [line.removesuffix("待整改。") for line in out.splitlines()[2:]] == [
        u.name for u in summary.shortfalls]


@pytest.mark.parametrize("attempt", [
    "{{ s.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% set x = s.types.append(1) %}{{ x }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
])
def test_a_sandbox_escape_is_refused(demo: Path, attempt: str) -> None:
    folder = demo / "plan" / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "summary.txt.j2").write_text(f"第一行\n{attempt}\n", encoding="utf-8")
    code, out, err = _dc("--month", "2023-05", "--repo", str(demo))
    assert code == 2 and out == ""
    assert "plan/templates/summary.txt.j2:2: [plan-template]" in err, err
    assert "Traceback" not in err


def test_a_syntax_error_names_its_line(demo: Path) -> None:
    folder = demo / "plan" / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "summary.txt.j2").write_text("a\nb\n{% if %}\n", encoding="utf-8")
    code, _out, err = _dc("--month", "2023-05", "--repo", str(demo))
    assert code == 2 and "plan/templates/summary.txt.j2:3: [plan-template]" in err, err
