"""Traceability: every duty of the source's 17 items is covered by rules or has a reason."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from dianchang_cli.planfile.loader import load_plan
from dianchang_cli.planfile.model import CoverageEntry as Entry
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.render.traceability import (
    Coverage,
    is_duty,
    render_coverage,
    split_sentences,
    trace,
)

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plan"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN, ROOT)


@pytest.fixture(scope="module")
def mapping(plan: Plan) -> Coverage:
    assert plan.coverage, "plan/coverage.yaml is loaded as the plan's `coverage:`"
    return plan.coverage


def test_items_1_to_17_each_have_a_rule(plan: Plan) -> None:
    assert sorted(plan.items) == list(range(1, 18))
    without = [n for n in plan.items if not any(r.item == n for r in plan.rules)]
    assert not without, f"items with no rule: {without}"


def test_every_rule_quotes_its_item_verbatim(plan: Plan) -> None:
    bad = [r.id for r in plan.rules if r.source not in plan.items[r.item].text]
    assert not bad, f"rules whose source is not verbatim in their item: {bad}"


def test_every_mapped_sentence_is_verbatim_in_its_item(plan: Plan, mapping: Coverage) -> None:
    bad = [(n, e.sentence) for n, entries in mapping.items() for e in entries
           if n not in plan.items or e.sentence not in plan.items[n].text]
    assert not bad


def test_every_rule_id_in_the_mapping_exists(plan: Plan, mapping: Coverage) -> None:
    known = {r.id for r in plan.rules}
    unknown = {rid for entries in mapping.values() for e in entries
               for rid in e.rules} - known
    assert not unknown


def test_every_rule_is_in_the_mapping_under_its_own_item(plan: Plan,
                                                         mapping: Coverage) -> None:
    mapped = {(n, rid) for n, entries in mapping.items() for e in entries
              for rid in e.rules}
    missing = [r.id for r in plan.rules if (r.item, r.id) not in mapped]
    assert not missing, f"rules not in the mapping (under their item): {missing}"


def test_no_duty_bearing_sentence_is_unmapped(plan: Plan, mapping: Coverage) -> None:
    result = trace(plan, mapping)
    assert result.unmapped == []
    assert result.problems == [] and result.unused_rules == []
    duties = sum(s.duty and not s.heading for ss in result.items.values() for s in ss)
    assert duties >= 40  # the source has 41 non-heading sentences, nearly all duties


def test_not_checkable_reasons_are_in_chinese(mapping: Coverage) -> None:
    reasons = [e.not_checkable for es in mapping.values() for e in es if e.not_checkable]
    assert reasons and all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in reasons)


def test_split_sentences_and_duty_words() -> None:
    text = "加强主题宣传。各社区每月要有方案；营造良好氛围。末句没有句号"
    parts = split_sentences(text)
    assert [s for _, s in parts] == ["加强主题宣传。", "各社区每月要有方案；", "营造良好氛围。",
                                     "末句没有句号"]
    assert all(text[at:at + len(s)] == s for at, s in parts)
    assert is_duty("各社区每月要有方案；") and not is_duty("营造良好氛围。")


def _render(plan: Plan, mapping: Coverage) -> tuple[int, str]:
    out = io.StringIO()
    code = render_coverage(plan, Console(file=out, width=200), mapping)
    return code, out.getvalue()


def test_render_coverage_exit_0_and_lists_sentences(plan: Plan, mapping: Coverage) -> None:
    code, text = _render(plan, mapping)
    assert code == 0
    assert "每月至少开展8次主题性活动" in text and "12.2" in text
    assert "同时要创新活动形式" in text  # a reason is shown, not hidden


def test_render_coverage_exit_1_when_a_sentence_is_dropped(plan: Plan,
                                                           mapping: Coverage) -> None:
    dropped = "每月7号前按文件要求报送一名通辽好人典型事迹材料"
    gone = ("通辽好人", "选树典型")
    keep = {n: [e for e in es if n != 14 or not any(g in e.sentence for g in gone)]
            for n, es in mapping.items()}
    code, text = _render(plan, keep)
    assert code == 1
    assert trace(plan, keep).unmapped == [
        (14, "各社区要持续挖掘选树典型事迹，" + dropped + "。")]
    assert dropped in text


def test_render_coverage_exit_1_on_a_bad_entry(plan: Plan, mapping: Coverage) -> None:
    bad = dict(mapping)
    bad[17] = [*bad[17], Entry(sentence="不在原文中的句子", rules=["17.1"]),
               Entry(sentence="打造百姓身边的书屋", rules=["99.9"])]
    result = trace(plan, bad)
    assert len(result.problems) == 2
    assert _render(plan, bad)[0] == 1
    fewer = {n: [e for e in es if "17.1" not in e.rules] for n, es in mapping.items()}
    assert trace(plan, fewer).unused_rules == ["17.1"]


def test_entry_needs_rules_or_a_reason() -> None:
    with pytest.raises(ValueError):
        Entry(sentence="x")
    with pytest.raises(ValueError):
        Entry(sentence="x", rules=["1.1"], not_checkable="因为")


def _app() -> typer.Typer:
    from dianchang_cli.cli.app import build_app

    return build_app()


def test_dc_rules_coverage_reads_the_mapping_of_the_given_plan(tmp_path: Path) -> None:
    ok = CliRunner().invoke(_app(), ["rules", "--coverage", "--repo", str(ROOT)])
    assert ok.exit_code == 0, ok.output
    shutil.copytree(PLAN, tmp_path / "plan", ignore=shutil.ignore_patterns("coverage.yaml"))
    missing = CliRunner().invoke(_app(), ["rules", "--coverage", "--plan",
                                          str(tmp_path / "plan")])
    assert missing.exit_code == 1
    assert "Traceback" not in missing.output
