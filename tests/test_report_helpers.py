"""Shared data for the ``dc report`` tests (imported by the other test_report_* modules), and
tests of the small helpers: period options, default paths, atomic writes."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dianchang_cli import i18n
from dianchang_cli.api import Outcome, Repo
from dianchang_cli.render.atomic import atomic_writer, write_bytes
from dianchang_cli.report import default_output, format_of, parse_period
from dianchang_cli.report.build import report_as_of

# test data only: the record types, units and rules of the 2023 plan the fixture writes
NASTY = "<script>alert(1)</script> | *x* #set text(fill: red) $x$"
VOL = "新时代文明实践志愿服务活动"
AS_OF = "2023-04-30"
MADE = dt.date(2023, 5, 1)


def _vol(unit: str, date: str, title: str, vols: int, hours: float, **extra: object) -> dict:
    return {"type": VOL, "unit": unit, "date": date, "title": title, "theme": "卫生健康",
            "volunteers": vols, "service_hours": hours, **extra}


def fill(add: Callable[[str, dict | str], Path]) -> None:
    """A handful of April records: events, a rule violation, a waiver, an invalid record."""
    add("dianchang/cgs-0411.yaml", {
        "type": "理论中心组学习", "unit": "dianchang", "date": "2023-04-11",
        "title": "党工委理论中心组4月学习", "theme": "学习党的二十大精神",
        "speeches": ["在二十届中央政治局第一次集体学习时的讲话"], "topics": ["党的二十大精神"],
        "outcome": "形成三条工作措施", "participants": 14})
    add("dongyuan/vol-0403.yaml", _vol("dongyuan", "2023-04-03", NASTY, 10, 2.5,
                                       participants=30, evidence=["https://example.org/a.jpg"]))
    add("dongyuan/vol-0410.yaml", _vol("dongyuan-b1", "2023-04-10", "义诊进社区", 5, 1.5,
                                       evidence=["https://example.org/b.jpg"]))
    add("dongyuan/read-0423.yaml", {"type": "阅读活动", "unit": "dongyuan",
                                    "date": "2023-04-23", "title": "世界读书日主题阅读活动",
                                    "participants": 36})
    add("xiyuan/vol-0405.yaml", _vol("xiyuan", "2023-04-05", "清洁家园", 6, 3))  # no evidence
    add("dianchang/waiver-0420.yaml", {
        "type": "免于考核", "unit": "dianchang", "date": "2023-04-20",
        "title": "西苑社区4月志愿服务次数免考核", "rule": "12.2", "target": "xiyuan",
        "period": "2023-04", "reason": "社区换届选举", "approved_by": "dc-sec"})
    add("xiyuan/broken.yaml", {"type": "阅读活动", "unit": "xiyuan", "dat": "2023-04-09",
                               "title": "字段拼错"})


def in_language(lang: str) -> Iterator[None]:
    """For fixtures: run in ``lang``, then put the language back (``yield from``)."""
    before = i18n.current()
    i18n.set_language(lang)
    try:
        yield
    finally:
        i18n.set_language(before)


def filled_outcome(add: Callable[[str, dict | str], Path], run: Callable[..., Outcome]
                   ) -> Outcome:
    fill(add)
    return run(as_of=AS_OF)


# ---------------------------------------------------------------- tests of the helpers
@pytest.mark.parametrize(("kind", "text", "label", "end"), [
    ("month", "2023-04", "2023-04", "2023-04-30"), ("month", "2023-4", "2023-04", "2023-04-30"),
    ("quarter", "2023-Q2", "2023-Q2", "2023-06-30"), ("quarter", "2023-q4", "2023-Q4",
                                                      "2023-12-31"),
    ("year", "2023", "2023", "2023-12-31")])
def test_parse_period(kind: str, text: str, label: str, end: str) -> None:
    period = parse_period(kind, text)
    assert period is not None and period.label == label and period.end.isoformat() == end


@pytest.mark.parametrize(("kind", "text"), [("month", "2023-13"), ("month", "April"),
                                            ("quarter", "2023-Q5"), ("year", "23")])
def test_parse_period_refuses(kind: str, text: str) -> None:
    assert parse_period(kind, text) is None


def test_default_as_of_is_the_period_end_at_most_today() -> None:
    april = parse_period("month", "2023-04")
    assert april is not None
    assert report_as_of(april, today=dt.date(2024, 1, 1)) == dt.date(2023, 4, 30)
    assert report_as_of(april, today=dt.date(2023, 4, 12)) == dt.date(2023, 4, 12)


def test_default_output_and_format(repo: Repo) -> None:
    assert default_output(repo.reports_dir, "2023-04", None, "md") == repo.root / "reports" / \
        "2023-04.md"
    assert default_output(repo.reports_dir, "2023-Q2", "dongyuan", "pdf").name == \
        "2023-Q2-dongyuan.pdf"
    assert format_of(Path("x/r.HTML")) == "html" and format_of(Path("r.txt")) is None


def test_atomic_writer_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "r.md"
    write_bytes(target, b"old")
    with pytest.raises(RuntimeError), atomic_writer(target) as out:
        out.write(b"half of the new")
        raise RuntimeError("render failed")
    assert target.read_bytes() == b"old"
    assert os.listdir(target.parent) == ["r.md"]  # no temporary file left behind
    os.chmod(target, 0o640)
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640
