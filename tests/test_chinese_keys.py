"""Records written with the plan's Chinese field names as keys (records.md, cli.md contract).

Every field — common or of the type — may be written under its id, its Chinese ``name`` or
an alias, and a record may mix them; errors quote the key as it was written.  A plan in
which one key would name two fields of a type is refused with the line of the type.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine.plancheck import load_plan

PLAN = Path(__file__).resolve().parent.parent / "plan"

ZH_READING = "类型: 阅读活动\n单位: dongyuan\n日期: 2023-05-12\n名称: 读书分享会\n"
ZH_VOLUNTEER = """\
类型: 新时代文明实践志愿服务活动
单位: dongyuan
日期: 2023-05-12
名称: 助老志愿服务
服务主题: 扶残帮困
志愿者人数: 12
志愿服务总时长（小时）: 24
"""


def test_a_record_in_chinese_keys_counts(add, run) -> None:
    add("dongyuan/zh.yaml", ZH_READING)
    out = run(rules=["17.1"], units=["dongyuan"])
    assert out.problems == []
    may = next(r for r in out.results if r.period == "2023-05")
    assert may.status == "met" and may.records == ("dongyuan/zh",)


def test_type_fields_in_chinese_read_like_english_ones(add, run) -> None:
    add("zh.yaml", ZH_VOLUNTEER)
    add("en.yaml", "type: volunteer_service\nunit: dongyuan\ndate: 2023-05-12\n"
                   "title: 助老志愿服务\ntheme: 扶残帮困\nvolunteers: 12\nservice_hours: 24\n")
    out = run(units=["dongyuan"])
    assert out.problems == []
    zh, en = sorted(out.records, key=lambda r: r.id, reverse=True)
    assert zh.fields == {**en.fields, "type": "新时代文明实践志愿服务活动"}
    assert zh.key_lines == en.key_lines and zh.keys == en.keys


def test_a_record_may_mix_spellings(add, run) -> None:
    add("mixed.yaml", "type: 阅读活动\n单位: dongyuan\ndate: 2023-05-12\n名称: 读书会\n"
                      "participants: 20\n地点: 书屋\n")
    out = run(rules=["17.1"], units=["dongyuan"])
    assert out.problems == []
    (rec,) = out.records
    assert rec.fields["location"] == "书屋" and rec.fields["participants"] == 20


def test_the_title_may_be_written_as_its_theme(add, run) -> None:
    """records.md §3 gives ``title`` as 名称 / 主题: either heads the title."""
    add("r.yaml", ZH_READING.replace("名称:", "主题:"))
    out = run(rules=["17.1"], units=["dongyuan"])
    assert out.problems == []
    (rec,) = out.records
    assert rec.title == rec.fields["title"] == "读书分享会"


def test_errors_quote_the_key_as_written(add, run) -> None:
    add("r.yaml", ZH_READING + "参与人数: 很多\n")
    (problem,) = run(rules=["17.1"]).problems
    assert (problem.code, problem.line, problem.column) == ("bad-value", 5, 7)
    assert "参与人数" in problem.message and "participants" not in problem.message


def test_one_field_under_two_spellings_is_a_duplicate(add, run) -> None:
    add("r.yaml", ZH_READING + "title: 又一个名称\n")
    (problem,) = run(rules=["17.1"]).problems
    assert (problem.code, problem.line) == ("duplicate-key", 5)
    assert "title" in problem.message and "名称" in problem.message


def test_an_unknown_type_under_the_chinese_type_key(add, run) -> None:
    add("r.yaml", ZH_READING.replace("阅读活动", "读书会"))
    (problem,) = run(rules=["17.1"]).problems
    assert (problem.code, problem.line, problem.column) == ("unknown-type", 1, 5)


def test_a_missing_type_says_so_whatever_the_other_keys(add, run) -> None:
    add("r.yaml", ZH_READING.replace("类型: 阅读活动\n", ""))
    (problem,) = run(rules=["17.1"]).problems
    assert problem.code == "missing-field"


def _plan_copy(tmp_path: Path) -> Path:
    shutil.copytree(PLAN, tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    return tmp_path / "plan"


@pytest.mark.parametrize(("old", "new", "key"), [
    # a type's own field named like a common field
    ("theme: {type: text, name: 学习主题, required: true}",
     "theme: {type: text, name: 名称, required: true}", "名称"),
    # an alias that is another field's id
    ("speeches: {type: list, items: text, name: 讲话原文篇目}",
     "speeches: {type: list, items: text, name: 讲话原文篇目, aliases: [theme]}", "theme"),
])
def test_a_key_naming_two_fields_is_a_plan_error(tmp_path: Path, old: str, new: str,
                                                 key: str) -> None:
    plan_dir = _plan_copy(tmp_path)
    types = plan_dir / "types.yaml"
    text = types.read_text(encoding="utf-8")
    assert old in text
    types.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(plan_dir, tmp_path)
    (problem,) = [p for p in caught.value.problems if key in p.message]
    assert problem.file.endswith("types.yaml") and problem.code == "plan-invalid"
    type_line = next(i for i, line in enumerate(text.splitlines(), start=1)
                     if re.match(r"\s*- id: central_group_study\b", line))
    assert problem.line == type_line


def test_the_real_plan_has_no_key_clashes() -> None:
    plan = load_plan(PLAN, PLAN.parent)
    for rtype in plan.types.values():
        keys = [k for name, spec in {**plan.common_fields, **rtype.fields}.items()
                for k in spec.spellings(name)]
        assert len(keys) == len(set(keys)), rtype.id
