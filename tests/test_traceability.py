"""Traceability: every duty clause of the source's 17 items is checked or counted by rules,
or has a reason why it cannot be checked."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.planfile.model import Clause
from dianchang_cli.planfile.model import CoverageEntry as Entry
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.render.traceability import (
    Coverage,
    clause_status,
    is_duty,
    render_coverage,
    split_phrases,
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


def test_every_clause_is_verbatim_in_its_sentence(plan: Plan, mapping: Coverage) -> None:
    clauses = [(n, e, c) for n, entries in mapping.items() for e in entries
               for c in e.all_clauses]
    assert len(clauses) >= 100  # sentences are split into their duty clauses
    bad = [(n, c.clause) for n, e, c in clauses if not c.clause or c.clause not in e.sentence]
    assert not bad
    assert any(e.clauses for es in mapping.values() for e in es)


def test_every_rule_id_in_the_mapping_exists(plan: Plan, mapping: Coverage) -> None:
    known = {r.id for r in plan.rules}
    unknown = {rid for entries in mapping.values() for e in entries
               for c in e.all_clauses for rid in c.rules} - known
    assert not unknown


def test_every_rule_is_in_the_mapping_under_its_own_item(plan: Plan,
                                                         mapping: Coverage) -> None:
    mapped = {(n, rid) for n, entries in mapping.items() for e in entries
              for c in e.all_clauses for rid in c.rules}
    missing = [r.id for r in plan.rules if (r.item, r.id) not in mapped]
    assert not missing, f"rules not in the mapping (under their item): {missing}"


def test_no_duty_clause_is_unaccounted(plan: Plan, mapping: Coverage) -> None:
    result = trace(plan, mapping)
    assert result.unaccounted == []
    assert result.problems == [] and result.unused_rules == []
    duties = sum(s.duty and not s.heading for ss in result.items.values() for s in ss)
    assert duties >= 40  # the source has 41 non-heading sentences, nearly all duties
    statuses = {c.status for c in result.clauses}
    assert statuses == {"checked", "counted", "not_checkable"}


def test_a_clause_is_counted_when_only_tallies_cover_it(plan: Plan,
                                                        mapping: Coverage) -> None:
    assert clause_status(["3.2"], {"3.2": "tally"}) == "counted"
    assert clause_status(["3.2", "3.1"], {"3.2": "tally", "3.1": "count"}) == "checked"
    assert clause_status([], {}) == "not_checkable"
    result = trace(plan, mapping)
    by_text = {c.clause.clause: c.status for c in result.clauses}
    assert by_text["各社区不定期开展科普活动"] == "counted"
    assert by_text["创建共享式讲堂"] == "checked"
    assert by_text["同时要创新活动形式"] == "not_checkable"


def test_not_checkable_reasons_are_in_chinese(mapping: Coverage) -> None:
    reasons = [c.not_checkable for es in mapping.values() for e in es
               for c in e.all_clauses if c.not_checkable]
    assert reasons and all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in reasons)


def test_split_sentences_phrases_and_duty_words() -> None:
    text = "加强主题宣传。各社区每月要有方案；营造良好氛围。末句没有句号"
    parts = split_sentences(text)
    assert [s for _, s in parts] == ["加强主题宣传。", "各社区每月要有方案；", "营造良好氛围。",
                                     "末句没有句号"]
    assert all(text[at:at + len(s)] == s for at, s in parts)
    assert is_duty("各社区每月要有方案；") and not is_duty("营造良好氛围。")
    sentence = "各社区不定期开展科普活动，创建共享式讲堂，面向社会开放。"
    phrases = split_phrases(sentence)
    assert [p for _, p in phrases] == ["各社区不定期开展科普活动，", "创建共享式讲堂，",
                                       "面向社会开放。"]
    assert all(sentence[at:at + len(p)] == p for at, p in phrases)
    assert is_duty("创建共享式讲堂，")


def _render(plan: Plan, mapping: Coverage) -> tuple[int, str]:
    out = io.StringIO()
    code = render_coverage(plan, Console(file=out, width=200), mapping)
    return code, out.getvalue()


def test_render_coverage_exit_0_and_lists_clauses(plan: Plan, mapping: Coverage,
                                                   english: None) -> None:
    code, text = _render(plan, mapping)
    assert code == 0
    assert "每月至少开展8次主题性活动" in text and "12.2" in text
    assert "同时要创新活动形式" in text  # a reason is shown, not hidden
    assert "“创建共享式讲堂”" in text and "3.4" in text
    result = trace(plan, mapping)
    summary = "Duty clauses: {c} checked by rules, {t} counted by tallies, {n} not checkable " \
        "(with a reason), 0 unaccounted.".format(c=result.count("checked"),
                                                  t=result.count("counted"),
                                                  n=result.count("not_checkable"))
    assert summary in " ".join(text.split())
    assert "Every duty clause is accounted for." in text


def test_render_coverage_exit_1_when_a_sentence_is_dropped(plan: Plan, mapping: Coverage,
                                                           english: None) -> None:
    dropped = "每月7号前按文件要求报送一名通辽好人典型事迹材料"
    keep = {n: [e for e in es if n != 14 or dropped not in e.sentence]
            for n, es in mapping.items()}
    code, text = _render(plan, keep)
    assert code == 1
    assert trace(plan, keep).unaccounted == [(14, "各社区要持续挖掘选树典型事迹"), (14, dropped)]
    assert dropped in text and "2 unaccounted" in text


def test_one_mapped_clause_does_not_tick_the_whole_sentence(plan: Plan,
                                                            mapping: Coverage) -> None:
    """The issue: a sentence was ticked when any clause of it was checked."""
    sentence = "各社区不定期开展科普活动，创建共享式讲堂，面向社会开放"
    only_science = Entry(sentence=sentence,
                         clauses=[Clause(clause="各社区不定期开展科普活动", rules=["3.2"])])
    partial = {n: [only_science if e.sentence == sentence else e for e in es]
               for n, es in mapping.items()}
    result = trace(plan, partial)
    assert result.unaccounted == [(3, "创建共享式讲堂")]
    assert result.unused_rules == ["3.4"]
    code, text = _render(plan, partial)
    assert code == 1 and "✗" in text


def test_render_coverage_exit_1_on_a_bad_entry(plan: Plan, mapping: Coverage) -> None:
    bad = dict(mapping)
    bad[17] = [*bad[17], Entry(sentence="不在原文中的句子", rules=["17.1"]),
               Entry(sentence="打造百姓身边的书屋", rules=["99.9"]),
               Entry(sentence="打造百姓身边的书屋",
                     clauses=[Clause(clause="不在句中的分句", rules=["17.1"])])]
    result = trace(plan, bad)
    assert len(result.problems) == 3
    assert any("不在句中的分句" in p for p in result.problems)
    assert _render(plan, bad)[0] == 1
    fewer = {n: [e for e in es if all("17.1" not in c.rules for c in e.all_clauses)]
             for n, es in mapping.items()}
    assert trace(plan, fewer).unused_rules == ["17.1"]


def test_entry_needs_rules_or_a_reason() -> None:
    with pytest.raises(ValueError):
        Entry(sentence="x")
    with pytest.raises(ValueError):
        Entry(sentence="x", rules=["1.1"], not_checkable="因为")
    with pytest.raises(ValueError):
        Entry(sentence="x", rules=["1.1"], clauses=[Clause(clause="x", rules=["1.1"])])
    with pytest.raises(ValueError):
        Clause(clause="x")
    assert Entry(sentence="x", rules=["1.1"]).all_clauses == [Clause(clause="x", rules=["1.1"])]


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
