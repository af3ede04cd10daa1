"""The canonical record file: every demo record written out again reads back to the same
record, in English or Chinese keys; files are created where they belong and never over
another."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dianchang_cli.core import Repo
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.intake import writer
from dianchang_cli.records.batch import load_records, validate_bytes
from dianchang_cli.records.validate import Validator

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "plan", ROOT)
VALIDATOR = Validator(PLAN, today=dt.date(2023, 12, 31))
DEMO = load_records(PLAN, ROOT / "records", ROOT, workers=1)


def _read(text: str) -> dict:
    record, problems = validate_bytes(VALIDATOR, text.encode("utf-8"), "x.yaml", "x")
    assert record is not None, [p.message for p in problems]
    assert [p for p in problems if p.severity == "error"] == []
    return record.fields


def test_every_demo_record_writes_back_to_itself() -> None:
    assert len(DEMO.records) > 800
    for rec in DEMO.records:
        for keys in ("en", "zh"):
            text = writer.render(PLAN, rec.type, dict(rec.fields), keys)
            fields = _read(text)
            assert fields == {**rec.fields, "type": PLAN.types[rec.type].name}, (rec.file, keys)


def test_keys_follow_the_types_order_and_chosen_spelling() -> None:
    values = {"summary": "简介", "title": "读书会", "unit": "dongyuan",
              "date": dt.date(2023, 5, 12), "participants": 20}
    en = writer.render(PLAN, "reading_activity", values).splitlines()
    assert [line.split(":")[0] for line in en] == ["type", "unit", "date", "title",
                                                    "participants", "summary"]
    zh = writer.render(PLAN, "reading_activity", values, "zh").splitlines()
    assert [line.split(":")[0] for line in zh] == ["类型", "单位", "日期", "名称", "参与人数",
                                                    "活动简介"]
    assert zh[0] == "类型: 阅读活动"


def test_one_object_in_two_fields_is_written_out_twice() -> None:
    """The validator reads a day once for every field holding it, so two fields may hold one
    date object; the file gets it twice, never as an anchor and an alias (which dc refuses)."""
    day = dt.date(2023, 5, 6)
    values = {"unit": "dongyuan", "date": day, "submitted_on": day, "title": "助人为乐事迹",
              "category": "助人为乐", "nominee": "张某某（示例）"}
    text = writer.render(PLAN, "good_person_nomination", values)
    assert "&" not in text and "*" not in text
    assert text.count("2023-05-06") == 2
    assert _read(text)["submitted_on"] == day


def test_the_modeline_points_at_the_schema_from_where_the_file_is(tmp_path: Path) -> None:
    path = tmp_path / "records" / "dongyuan" / "2023" / "05" / "x.yaml"
    line = writer.modeline(path, tmp_path)
    assert line == "yaml-language-server: $schema=../../../../records.schema.json"
    text = writer.render(PLAN, "reading_activity",
                         {"unit": "dongyuan", "date": dt.date(2023, 5, 12), "title": "t"},
                         schema_line=line)
    assert text.startswith("# " + line + "\n")
    _read(text)


def test_create_never_overwrites(tmp_path: Path) -> None:
    repo = Repo.at(tmp_path)
    day = dt.date(2023, 5, 12)
    paths = [writer.create(repo.records_dir, "dongyuan", "reading_activity", day,
                           lambda p, n=n: f"# {n}\n") for n in range(3)]
    assert [p.name for p in paths] == ["reading_activity-0512.yaml",
                                       "reading_activity-0512-2.yaml",
                                       "reading_activity-0512-3.yaml"]
    assert paths[0].parent == tmp_path / "records" / "dongyuan" / "2023" / "05"
    assert [p.read_text() for p in paths] == ["# 0\n", "# 1\n", "# 2\n"]
    assert writer.free_path(repo.records_dir, "dongyuan", "reading_activity", day).name == \
        "reading_activity-0512-4.yaml"


def test_date_times_are_written_in_beijing_time() -> None:
    moment = dt.datetime(2023, 5, 3, 2, 5, tzinfo=dt.UTC)
    assert writer.plain(moment) == "2023-05-03 10:05"
    assert writer.plain(dt.datetime(2023, 5, 3, 10, 5)) == "2023-05-03 10:05"
    other = dt.datetime(2023, 5, 3, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert writer.plain(other) == "2023-05-03 09:05"  # the same instant


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60) \
    .filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=300)
@given(title=TEXT, location=TEXT)
def test_any_text_stays_text(title: str, location: str) -> None:
    """A title of ``2023``, ``no``, ``10:05``, ``~``, ``- x`` or ``#`` stays that text."""
    values = {"unit": "dongyuan", "date": dt.date(2023, 5, 12), "title": title,
              "location": location}
    text = writer.render(PLAN, "reading_activity", values)
    record, problems = validate_bytes(VALIDATOR, text.encode("utf-8"), "x.yaml", "x")
    if record is None:  # only resident data may keep it out
        assert {p.code for p in problems} == {"pii"}
        return
    assert record.fields["title"] == title and record.fields["location"] == location
