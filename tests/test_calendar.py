"""``dc calendar``: the .ics file, read back with icalendar and counted against the plan."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from icalendar import Calendar, Component
from typer.testing import CliRunner

from dianchang_cli.engine.evaluate import scope_units
from dianchang_cli.engine.periods import all_periods
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.planfile.model import Rule
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.report.deadlines import CALENDAR_PERIODS, PERIOD_END_KINDS

ROOT = Path(__file__).resolve().parent.parent


@cache
def plan() -> Plan:
    return load_plan(ROOT / "plan", ROOT)


def run(*args: str) -> tuple[int, bytes]:
    from dianchang_cli.cli.app import build_app

    done = CliRunner().invoke(build_app(), ["calendar", "--repo", str(ROOT), *args])
    return done.exit_code, done.stdout_bytes


def write(tmp_path: Path, *args: str, name: str = "cal.ics") -> bytes:
    path = tmp_path / name
    code, _out = run("-o", str(path), *args)
    assert code == 0
    return path.read_bytes()


def events(data: bytes) -> list[Component]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def uid(event: Component) -> str:
    return str(event["UID"])


def counted(p: Plan, spec: str) -> list:
    return [x for x in all_periods(p, spec) if x.kind == "year" or x.end >= p.effective]


def events_by_rule(tmp_path: Path, kind: str, field: str) -> list[tuple[Rule, list[Component]]]:
    """Each rule whose ``due`` has ``field`` (at least one), with its ``/<kind>/`` events."""
    found = events(write(tmp_path))
    rules = [r for r in plan().rules if r.due is not None and getattr(r.due, field) is not None]
    assert rules
    return [(r, [e for e in found if f"/{kind}/{r.id}/" in uid(e)]) for r in rules]


def test_one_due_day_event_per_period_of_each_monthly_deadline(tmp_path: Path) -> None:
    for rule, mine in events_by_rule(tmp_path, "due", "day"):
        months = counted(plan(), rule.period)
        assert len(mine) == len(months)
        starts = sorted(e.decoded("DTSTART") for e in mine)
        assert [d.day for d in starts] == [min(rule.due.day, m.end.day) for m in months]


def test_fixed_dates_once_each(tmp_path: Path) -> None:
    for rule, mine in events_by_rule(tmp_path, "date", "date"):
        assert len(mine) == 1
        assert mine[0].decoded("DTSTART") == rule.due.date
        assert rule.name in str(mine[0]["SUMMARY"])
        assert rule.source[:20] in str(mine[0]["DESCRIPTION"])  # the quoted clause


def test_period_ends_one_event_per_day_listing_its_rules(tmp_path: Path) -> None:
    p = plan()
    found = events(write(tmp_path))
    expected: dict[dt.date, set[str]] = {}
    for rule in p.rules:
        if rule.due is None and rule.kind in PERIOD_END_KINDS:
            for x in counted(p, rule.period):
                if x.kind in CALENDAR_PERIODS:
                    expected.setdefault(x.end, set()).add(rule.id)
    ends = [e for e in found if "/end/" in uid(e)]
    assert sorted(e.decoded("DTSTART") for e in ends) == sorted(expected)
    for e in ends:
        text = str(e["DESCRIPTION"])
        for rule_id in expected[e.decoded("DTSTART")]:
            assert f"{rule_id} " in text


def test_festival_and_named_windows_are_spans(tmp_path: Path) -> None:
    p = plan()
    found = events(write(tmp_path))
    for spec, kind in (("festival", "festival"), *((f"window:{w}", "window")
                                                    for w in p.windows)):
        if not any(r.period == spec for r in p.rules):
            continue
        for x in counted(p, spec):
            mine = [e for e in found if uid(e).startswith(f"{p.meta.id}/{kind}/")
                    and e.decoded("DTSTART") == x.start]
            assert len(mine) == 1, x
            assert mine[0].decoded("DTEND") == x.end + dt.timedelta(days=1)
            assert x.name in str(mine[0]["SUMMARY"])


def test_every_event_all_day_with_alarm_uid_and_category(tmp_path: Path) -> None:
    data = write(tmp_path)
    cal = Calendar.from_ical(data)
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    found = events(data)
    assert found
    uids = [uid(e) for e in found]
    assert len(uids) == len(set(uids))
    stamp = plan().meta.issued
    for e in found:
        assert type(e.decoded("DTSTART")) is dt.date
        assert e.decoded("DTSTAMP").date() == stamp
        assert e["CATEGORIES"]
        alarms = e.walk("VALARM")
        assert len(alarms) == 1
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
        assert alarms[0].decoded("TRIGGER") == dt.timedelta(days=-3)
        assert str(alarms[0]["DESCRIPTION"])
    assert b"DTSTART;VALUE=DATE:" in data


def test_byte_identical_and_stable_uids_across_runs(tmp_path: Path) -> None:
    first = write(tmp_path, name="a.ics")
    second = write(tmp_path, name="b.ics")
    assert first == second
    assert [uid(e) for e in events(first)] == [uid(e) for e in events(second)]


def test_remind_days(tmp_path: Path) -> None:
    found = events(write(tmp_path, "--remind", "7"))
    assert {e.walk("VALARM")[0].decoded("TRIGGER") for e in found} == {dt.timedelta(days=-7)}
    code, _out = run("--remind", "-1", "-o", str(tmp_path / "x.ics"))
    assert code == 2 and not (tmp_path / "x.ics").exists()


def test_unit_keeps_its_duties_and_names_itself(tmp_path: Path) -> None:
    p = plan()
    all_events = events(write(tmp_path, name="all.ics"))
    found = events(write(tmp_path, "--unit", "nanhu", name="nanhu.ics"))
    members = set(p.members("nanhu"))
    mine = {r.id for r in p.rules
            if any(u in members for s in r.scopes for u, _w in scope_units(p, s))}
    others = {r.id for r in p.rules} - mine
    assert mine and others
    assert 0 < len(found) < len(all_events)
    name = p.unit_name("nanhu")
    for e in found:
        assert name in str(e["SUMMARY"]) and uid(e).endswith("/nanhu@dianchang-cli")
    fixed = {e.decoded("DTSTART") for e in found if "/date/" in uid(e)}
    assert fixed == {r.due.date for r in p.rules if r.id in mine and r.due is not None
                     and r.due.date is not None}
    assert not any(f"/{rid}/" in uid(e) for e in found for rid in others)
    # the same duty for another unit is another event
    other = events(write(tmp_path, "--unit", "dongyuan", name="dongyuan.ics"))
    assert not {uid(e) for e in found} & {uid(e) for e in other}


def test_default_file_and_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run()
    assert code == 0
    default = tmp_path / "截止日期.ics"
    assert default.exists()
    code, out = run("-o", "-")
    assert code == 0 and out == default.read_bytes()


def test_unknown_unit_is_a_usage_error(tmp_path: Path) -> None:
    code, _out = run("--unit", "nowhere", "-o", str(tmp_path / "x.ics"))
    assert code == 2 and not (tmp_path / "x.ics").exists()
