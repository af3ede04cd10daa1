"""``dc fmt``: one canonical form for record files, comments and values kept, never unsafe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dianchang_cli.core import Repo
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.intake import fmt as fmt_module
from dianchang_cli.intake.fmt import format_files, format_text
from dianchang_cli.intake.writer import field_order, key_of
from dianchang_cli.records.batch import discover, load_records
from dianchang_cli.records.validate import Validator

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "plan", ROOT)
MODELINE = "# yaml-language-server: $schema=../../../../records.schema.json"
DEMO = ROOT / "records"
# A demo record with a type of its own fields, a list and several common fields.
SAMPLE = max(sorted(DEMO.rglob("*.yaml")), key=lambda p: sum(
    not line[:1].isspace() for line in p.read_text(encoding="utf-8").splitlines()))

CANONICAL = f"""{MODELINE}
type: 阅读活动
# the community's own id
unit: dongyuan
date: 2023-04-23  # the day it took place
title: '2023'
participants: 36
# to be filled in
summary: |
  第一行
  第二行
evidence:
  - a.jpg  # the photo
  - b.pdf
"""

SHUFFLED = f"""{MODELINE}
evidence:
    - a.jpg  # the photo
    - b.pdf
participants: 36
# to be filled in
活动简介: |
  第一行
  第二行
名称: '2023'
date: 2023-04-23  # the day it took place
类型: 阅读活动
# the community's own id
单位: dongyuan
"""


def fmt(text: str, keys: str = "en") -> str:
    result = format_text(PLAN, text, keys)  # type: ignore[arg-type]
    assert result.problems == [] and result.text is not None, result.problems
    return result.text


def fields(text: str) -> dict:
    record, problems = Validator(PLAN).validate(*_loaded(text), "x.yaml", "x")
    assert record is not None, problems
    return record.fields


def _loaded(text: str) -> tuple:
    from dianchang_cli.load.yamlsafe import load_bytes

    loaded = load_bytes(text.encode("utf-8"), "x.yaml")
    return loaded.value, loaded.node


def app_run(*args: str) -> tuple[int, str]:
    from dianchang_cli.cli.app import build_app

    done = CliRunner().invoke(build_app(), list(args))
    return done.exit_code, done.output


# ------------------------------------------------------------------ one text


def test_canonical_text_stays_as_it_is() -> None:
    assert fmt(CANONICAL) == CANONICAL


def test_order_spelling_indentation_are_canonical_and_comments_move_with_their_keys() -> None:
    assert fmt(SHUFFLED) == CANONICAL
    assert fields(SHUFFLED) == fields(CANONICAL)


def test_comments_kept_above_keys_at_line_ends_and_the_modeline_first() -> None:
    out = fmt(SHUFFLED).splitlines()
    assert out[0] == MODELINE
    assert out[out.index("unit: dongyuan") - 1] == "# the community's own id"
    assert "date: 2023-04-23  # the day it took place" in out
    assert "  - a.jpg  # the photo" in out
    assert out[out.index("summary: |") - 1] == "# to be filled in"


def test_header_and_trailing_comments_stay_at_the_ends() -> None:
    text = ("# header line\n\n# above title\ntitle: x\ntype: 阅读活动\nunit: dongyuan\n"
            "date: 2023-04-23\n# the last word\n")
    out = fmt(text)
    assert out == ("# header line\n\ntype: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\n"
                   "# above title\ntitle: x\n# the last word\n")


def test_blank_lines_go_except_one_between_comments_of_the_header() -> None:
    text = ("\n\n# header\n\n\n# more header\n\n# above title\ntitle: x\n\n"
            "type: 阅读活动\n\nunit: dongyuan\ndate: 2023-04-23\n\n")
    assert fmt(text) == ("# header\n\n# more header\n\ntype: 阅读活动\nunit: dongyuan\n"
                         "date: 2023-04-23\n# above title\ntitle: x\n")


def test_indented_comment_after_a_list_stays_in_it() -> None:
    text = ("type: 阅读活动\nunit: dongyuan\nevidence:\n  - a.jpg\n  # more to come\n"
            "# about the date\ndate: 2023-04-23\ntitle: x\n")
    out = fmt(text)
    assert out.endswith("evidence:\n  - a.jpg\n  # more to come\n")
    assert "# about the date\ndate: 2023-04-23\n" in out


def test_comments_above_a_lists_first_item_stay_in_the_list() -> None:
    text = ("type: 阅读活动\nunit: dongyuan\nevidence:\n  # photos below\n  - a.jpg\n"
            "tags:  # labels\n  # the first one\n  - a\ndate: 2023-04-23\ntitle: x\n")
    assert fmt(text) == ("type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: x\n"
                         "evidence:\n  # photos below\n  - a.jpg\n"
                         "tags:  # labels\n  # the first one\n  - a\n")


def test_a_very_long_file_is_left_alone(english: None) -> None:
    text = CANONICAL + "# more\n" * (fmt_module.MAX_LINES + 1)
    result = format_text(PLAN, text)
    assert result.text is None and [p.code for p in result.problems] == ["not-formatted"]
    assert str(fmt_module.MAX_LINES) in result.problems[0].message
    flow = CANONICAL + "tags: [" + ", ".join(["x"] * (fmt_module.MAX_LINES + 1)) + "]\n"
    assert format_text(PLAN, flow).problems[0].code == "not-formatted"


def test_values_are_not_retyped() -> None:
    text = ('type: "阅读活动"\nunit: dongyuan\ndate: 2023-04-23\ntitle: "10:05"\n'
            "location: 0123\nsummary: no\n")
    out = fmt(text)
    assert 'title: "10:05"' in out and "location: 0123" in out and "summary: no" in out
    assert 'type: "阅读活动"' in out
    assert fields(out) == fields(text)


def test_keys_zh_then_en_gives_back_the_english_file() -> None:
    chinese = fmt(CANONICAL, "zh")
    assert "类型: 阅读活动" in chinese and "单位: dongyuan" in chinese and "unit:" not in chinese
    assert "  - a.jpg  # the photo" in chinese
    assert fmt(chinese, "en") == CANONICAL
    assert fields(chinese) == fields(CANONICAL)


def test_formatting_twice_is_formatting_once() -> None:
    for keys in ("en", "zh"):
        once = fmt(SHUFFLED, keys)
        assert fmt(once, keys) == once


def test_unknown_keys_stay_last_in_their_order() -> None:
    text = "zeta: 1\ntitle: x\nalpha: 2\ntype: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\n"
    out = fmt(text)
    assert out.splitlines()[-2:] == ["zeta: 1", "alpha: 2"]


def test_newlines_and_byte_order_mark_are_kept() -> None:
    crlf = "\ufeff" + CANONICAL.replace("\n", "\r\n")
    assert fmt(crlf) == crlf
    out = fmt(SHUFFLED.replace("\n", "\r\n"))
    assert out == CANONICAL.replace("\n", "\r\n")


def test_comments_before_an_explicit_document_start_are_kept() -> None:
    text = "# header\n---\ntitle: x\ntype: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\n"
    assert fmt(text) == "# header\ntype: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: x\n"


@pytest.mark.parametrize(("text", "code", "line"), [
    ("type: [\n", "yaml-syntax", None),
    ("- type: 阅读活动\n", "bad-value", 1),
    ("unit: dongyuan\ntype: 不存在的类型\n", "unknown-type", 2),
    ("unit: dongyuan\ntitle: x\n", "missing-field", None),
    ("type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: x\n名称: y\n",
     "duplicate-key", 5),
])
def test_what_cannot_be_formatted_is_a_problem(text: str, code: str, line: int | None) -> None:
    result = format_text(PLAN, text, shown="r.yaml")
    assert result.text is None
    assert [p.code for p in result.problems] == [code]
    assert result.problems[0].file == "r.yaml"
    if line is not None:
        assert result.problems[0].line == line


def test_a_record_with_bad_values_is_still_formatted() -> None:
    text = "title: x\ntype: 阅读活动\nunit: dongyuan\ndate: someday\n"
    assert fmt(text) == "type: 阅读活动\nunit: dongyuan\ndate: someday\ntitle: x\n"


def test_a_comment_ruamel_would_drop_leaves_the_file_alone(english: None) -> None:
    text = "type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: x\n...\n# after the end\n"
    result = format_text(PLAN, text)
    assert result.text is None
    assert result.problems[0].code == "not-formatted"
    assert "lose or repeat a comment" in result.problems[0].message


def test_the_safety_net_refuses_a_rewrite_that_changes_the_record(
        monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    real = fmt_module.rewrite
    monkeypatch.setattr(fmt_module, "rewrite", lambda *a: real(*a).replace("36", "37"))
    result = format_text(PLAN, CANONICAL, shown="r.yaml")
    assert result.text is None
    assert [(p.file, p.code) for p in result.problems] == [("r.yaml", "not-formatted")]
    assert "change what the record says" in result.problems[0].message


# ------------------------------------------------------------------ the demo, as files


@pytest.fixture
def demo(tmp_path: Path) -> Repo:
    shutil.copytree(ROOT / "plan", tmp_path / "plan")
    shutil.copytree(DEMO, tmp_path / "records")
    return Repo.at(tmp_path)


def test_every_demo_record_formats_to_the_same_record(demo: Repo) -> None:
    before = load_records(PLAN, demo.records_dir, demo.root, workers=1)
    report = format_files(PLAN, [demo.records_dir], demo.root, demo.records_dir, "zh")
    assert report.problems == []
    assert report.changed and report.unchanged + len(report.changed) == before.files
    after = load_records(PLAN, demo.records_dir, demo.root, workers=1)
    assert [p.code for p in after.problems] == [p.code for p in before.problems]
    assert {r.id: r.fields for r in after.records} == {r.id: r.fields for r in before.records}
    again = format_files(PLAN, [demo.records_dir], demo.root, demo.records_dir, "zh")
    assert again.changed == [] and again.unchanged == before.files
    back = format_files(PLAN, [demo.records_dir], demo.root, demo.records_dir, "en")
    assert back.problems == [] and len(back.changed) == before.files
    for path in discover(demo.records_dir):
        rel = path.relative_to(demo.records_dir)
        assert path.read_text(encoding="utf-8") == fmt((DEMO / rel).read_text(encoding="utf-8"))


def test_check_writes_nothing_and_exits_1_when_a_file_would_change(
        demo: Repo, english: None) -> None:
    target = demo.records_dir / "x.yaml"
    target.write_text(SHUFFLED, encoding="utf-8")
    code, out = app_run("fmt", str(target), "--check", "--keys", "en", "--repo", str(demo.root))
    assert code == 1, out
    assert "would change: records/x.yaml" in out
    assert target.read_text(encoding="utf-8") == SHUFFLED
    code, out = app_run("fmt", str(target), "--keys", "en", "--repo", str(demo.root))
    assert code == 0, out
    assert "formatted: records/x.yaml" in out and "Formatted 1 files, 0 needed" in out
    assert target.read_text(encoding="utf-8") == CANONICAL
    code, out = app_run("fmt", str(target), "--check", "--repo", str(demo.root))
    assert code == 0, out  # by default a file keeps the spelling most of its keys have
    assert "0 files would change, 1 need no change" in out


def test_a_broken_file_next_to_good_ones(tmp_path: Path, english: None) -> None:
    shutil.copytree(ROOT / "plan", tmp_path / "plan")
    folder = tmp_path / "records" / "dongyuan"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(SHUFFLED, encoding="utf-8")
    (folder / "b.yml").write_text(CANONICAL, encoding="utf-8")
    (folder / "broken.yaml").write_text("type: 阅读活动\ntitle: [\n", encoding="utf-8")
    (folder / "notes.txt").write_text("title: x\n", encoding="utf-8")
    code, out = app_run("fmt", str(tmp_path / "records"), "--keys", "en", "--repo",
                        str(tmp_path))
    assert code == 1, out
    assert "records/dongyuan/broken.yaml:3:1: [yaml-syntax]" in out
    assert "Formatted 1 files, 1 needed no change; 1 left as they are" in out
    assert (folder / "a.yaml").read_text(encoding="utf-8") == CANONICAL
    assert (folder / "broken.yaml").read_text(encoding="utf-8") == "type: 阅读活动\ntitle: [\n"
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "title: x\n"


def test_only_changed_files_are_written(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "plan", tmp_path / "plan")
    path = tmp_path / "records" / "r.yaml"
    path.parent.mkdir()
    path.write_text(CANONICAL, encoding="utf-8")
    path.chmod(0o444)  # a write would fail: nothing must try
    report = format_files(PLAN, [path], tmp_path, tmp_path / "records")
    assert report.unchanged == 1 and report.changed == [] and report.problems == []


def test_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "real.yaml").write_text(SHUFFLED, encoding="utf-8")
    (folder / "link.yaml").symlink_to("real.yaml")
    report = format_files(PLAN, [folder / "link.yaml"], tmp_path, folder, "en")
    assert report.changed == ["records/link.yaml"] and report.problems == []
    assert (folder / "link.yaml").is_symlink()
    assert (folder / "real.yaml").read_text(encoding="utf-8") == CANONICAL


def test_by_default_a_file_keeps_the_spelling_most_of_its_keys_have() -> None:
    chinese = fmt(CANONICAL, "zh")
    assert fmt(chinese, "auto") == chinese and fmt(CANONICAL, "auto") == CANONICAL
    mostly_chinese = chinese.replace("类型:", "type:", 1)
    assert fmt(mostly_chinese, "auto") == chinese
    mostly_english = CANONICAL.replace("title:", "名称:", 1)
    assert fmt(mostly_english, "auto") == CANONICAL


def test_files_over_one_mebibyte_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "records" / "big.yaml"
    path.parent.mkdir()
    big = CANONICAL + "".join(f"# {i:07d}\n" for i in range(120_000))
    path.write_text(big, encoding="utf-8")
    report = format_files(PLAN, [path], tmp_path, tmp_path / "records")
    assert [p.code for p in report.problems] == ["too-large"]
    assert path.read_text(encoding="utf-8") == big


def test_usage_errors_exit_2() -> None:
    code, _out = app_run("fmt", "x.yaml", "--keys", "fr", "--repo", str(ROOT))
    assert code == 2
    code, _out = app_run("fmt", "--repo", str(ROOT))
    assert code == 2


# ------------------------------------------------------------------ any order, any spelling


def _entries(text: str) -> list[tuple[str, str]]:
    """A record's top-level entries: (key, the rest of its text, continuation lines too)."""
    entries: list[tuple[str, str]] = []
    for line in text.splitlines(keepends=True):
        if line[:1].isspace() and entries:
            key, rest = entries[-1]
            entries[-1] = (key, rest + line)
        else:
            key, _sep, rest = line.partition(":")
            entries.append((key, rest))
    return entries


SAMPLE_CANONICAL = fmt(SAMPLE.read_text(encoding="utf-8"))
SAMPLE_ENTRIES = _entries(SAMPLE_CANONICAL)
SAMPLE_SCHEMA = Validator(PLAN).schemas[
    PLAN.type_names[dict(SAMPLE_ENTRIES)[next(iter(Validator(PLAN).type_keys))].strip()]]


def test_the_sample_has_many_keys_in_the_type_order() -> None:
    names = [SAMPLE_SCHEMA.keys[key] for key, _rest in SAMPLE_ENTRIES]
    order = field_order(PLAN, SAMPLE_SCHEMA.type.id)
    assert len(names) >= 8 and names == sorted(names, key=order.index)
    zh = fmt(SAMPLE_CANONICAL, "zh")
    assert [k for k, _r in _entries(zh)] == [key_of(PLAN, SAMPLE_SCHEMA.type.id, n, "zh")
                                             for n in names]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_order_and_spelling_formats_to_the_same_text(data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(SAMPLE_ENTRIES))))
    lines = []
    for i in order:
        key, rest = SAMPLE_ENTRIES[i]
        name = SAMPLE_SCHEMA.keys[key]
        spelling = data.draw(st.sampled_from(SAMPLE_SCHEMA.fields[name].spellings(name)))
        lines.append(f"{spelling}:{rest}")
    assert fmt("".join(lines)) == SAMPLE_CANONICAL


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(len(SAMPLE_ENTRIES))))
def test_a_comment_above_a_key_moves_with_it_in_any_order(order: list[int]) -> None:
    text = "".join(f"# about {SAMPLE_ENTRIES[i][0]}\n{SAMPLE_ENTRIES[i][0]}:{SAMPLE_ENTRIES[i][1]}"
                   for i in order)
    out = fmt(text).splitlines()
    keys = [key for key, _rest in SAMPLE_ENTRIES]
    firsts = [i for i, line in enumerate(out) if line.split(":")[0] in keys]
    assert [out[i].split(":")[0] for i in firsts] == keys
    assert all(out[i - 1] == f"# about {out[i].split(':')[0]}" for i in firsts)
