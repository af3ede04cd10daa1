"""``dc init DIR``: a new records repository that ``dc check`` accepts, with CI that runs it."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from test_git_support import GitRepo, dc

pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def init(dest: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return dc("init", str(dest), *args, cwd=cwd)


def check_json(repo: Path, *args: str) -> tuple[int, dict]:
    done = dc("check", "--repo", str(repo), "--format", "json", *args)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)


def test_init_copies_the_current_plan_and_passes_check(tmp_path) -> None:
    new = tmp_path / "new"
    done = init(new)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{new / 'plan' / 'units.yaml'}" in done.stdout  # prints what it created
    for name in ("plan/plan.yaml", "plan/types.yaml", "plan/rules/5-culture.yaml",
                 "records/.gitkeep", "reports/.gitkeep", "evidence/.gitignore", "README.md",
                 ".github/workflows/dc.yml", ".gitlab-ci.yml", "examples/reading-activity.yaml"):
        assert (new / name).is_file(), name
    assert not (new / "plan" / "tests").exists()  # the source plan's own test cases stay
    assert (new / "plan" / "rules" / "5-culture.yaml").read_bytes() == \
        (ROOT / "plan" / "rules" / "5-culture.yaml").read_bytes()
    _code, doc = check_json(new)
    assert doc["errors"] == [] and doc["records"] == 0
    ok = dc("validate", "--repo", str(new), str(new / "examples" / "reading-activity.yaml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_units_template_is_commented_and_minimal(tmp_path) -> None:
    new = tmp_path / "new"
    assert init(new).returncode == 0
    text = (new / "plan" / "units.yaml").read_text(encoding="utf-8")
    units = yaml.safe_load(text)
    kinds = [u["kind"] for u in units["units"]]
    assert kinds == ["subdistrict", "community"] and units["subdistrict"] == units["units"][0]["id"]
    [staff] = units["staff"]
    assert staff["git"] and staff["unit"] == units["units"][1]["id"]
    for key in ("subdistrict:", "units:", "kind:", "staff:", "roles:", "git:"):
        line = next(li for li in text.splitlines() if li.strip().startswith(key)
                    or li.strip().startswith("- " + key))
        assert "#" in line and CJK.search(line.split("#", 1)[1]), line


def test_refuses_to_overwrite_without_force(tmp_path) -> None:
    new = tmp_path / "new"
    assert init(new).returncode == 0
    readme = new / "README.md"
    readme.write_text("ours\n", encoding="utf-8")
    again = init(new)
    assert again.returncode == 1
    assert str(readme) in again.stdout and str(new / "plan" / "units.yaml") in again.stdout
    assert readme.read_text(encoding="utf-8") == "ours\n"
    forced = init(new, "--force")
    assert forced.returncode == 0 and "overwrote" in forced.stdout
    assert readme.read_text(encoding="utf-8") != "ours\n"


def test_packaged_plan_when_there_is_no_plan_here(tmp_path) -> None:
    new = tmp_path / "new"
    done = init(new, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "--plan" in done.stdout  # says the plan is only the minimal example
    assert not (new / "plan" / "items.yaml").exists()
    _code, doc = check_json(new)
    assert doc["errors"] == [] and doc["results"]
    ok = dc("validate", "--repo", str(new), str(new / "examples" / "reading-activity.yaml"))
    assert ok.returncode == 0, ok.stdout


def test_plan_options(tmp_path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "plan", src / "plan", ignore=shutil.ignore_patterns("tests"))
    (src / "plan" / "extra.yaml").write_text("# 说明\nrules: []\n", encoding="utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    assert init(a, "--plan", str(src / "plan"), cwd=tmp_path).returncode == 0
    assert init(b, "--from-repo", str(src), cwd=tmp_path).returncode == 0
    assert (a / "plan" / "extra.yaml").is_file() and (b / "plan" / "extra.yaml").is_file()
    missing = init(tmp_path / "c", "--plan", str(tmp_path / "nope"))
    assert missing.returncode == 2 and not (tmp_path / "c").exists()
    both = init(tmp_path / "d", "--plan", str(src / "plan"), "--from-repo", str(src))
    assert both.returncode == 2


def test_a_plan_that_does_not_load_stops_init(tmp_path) -> None:
    src = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", src, ignore=shutil.ignore_patterns("tests"))
    (src / "broken.yaml").write_text("rules:\n  - id: x\n", encoding="utf-8")
    done = init(tmp_path / "new", "--plan", str(src))
    assert done.returncode == 2 and "broken.yaml" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "new").exists()


def test_evidence_keeps_large_binaries_out(tmp_path) -> None:
    new = tmp_path / "new"
    assert init(new).returncode == 0
    rules = (new / "evidence" / ".gitignore").read_text(encoding="utf-8")
    for pattern in ("*.jpg", "*.png", "*.pdf", "*.mp4"):
        assert pattern in rules.splitlines()
    assert "!" in rules and "git add -f" in rules  # says how to let a file in
    GitRepo(new)
    (new / "evidence" / "a").mkdir()
    probe = ["evidence/a/photo.jpg", "evidence/scan.pdf", "records/x.yaml",
             "evidence/list.txt"]
    done = subprocess.run(["git", "-C", str(new), "check-ignore", *probe],
                          capture_output=True, text=True)
    assert done.stdout.split() == ["evidence/a/photo.jpg", "evidence/scan.pdf"]


def test_readme_tells_staff_what_to_do(tmp_path) -> None:
    new = tmp_path / "new"
    assert init(new, "--dc-source", "git+https://git.example.org/dc.git@v1").returncode == 0
    readme = (new / "README.md").read_text(encoding="utf-8")
    for words in ("examples/", "dc validate", "dc check", "dc report", "type", "unit", "date",
                  "title", "evidence", "补录", "DC_SOURCE", "--fail-on invalid"):
        assert words in readme, words
    assert CJK.search(readme)
    assert 'pip install "dianchang-cli @ git+https://git.example.org/dc.git@v1"' in readme


# ---------------------------------------------------------------- CI files
def ci_commands(new: Path) -> tuple[str, str, dict, dict]:
    github = yaml.safe_load((new / ".github" / "workflows" / "dc.yml").read_text("utf-8"))
    gitlab = yaml.safe_load((new / ".gitlab-ci.yml").read_text("utf-8"))
    steps = github["jobs"]["check"]["steps"]
    gh = [s["run"] for s in steps if "run" in s and s["run"].startswith("dc ")]
    gl = [c for c in gitlab["dc-check"]["script"] if c.startswith("dc ")]
    assert len(gh) == 1 and len(gl) == 1
    return gh[0], gl[0], github, gitlab


def test_ci_files_are_valid_and_fill_in_the_source(tmp_path) -> None:
    new = tmp_path / "new"
    assert init(new, "--dc-source", "git+https://git.example.org/dc.git").returncode == 0
    gh, gl, github, gitlab = ci_commands(new)
    assert gh == "dc check --format github"
    assert gl == "dc check --format junit > dc-junit.xml"
    assert gitlab["dc-check"]["artifacts"]["reports"]["junit"] == "dc-junit.xml"
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    assert gitlab["variables"]["DC_SOURCE"] == "git+https://git.example.org/dc.git"
    assert "git+https://git.example.org/dc.git" in github["env"]["DC_SOURCE"]
    checkout = github["jobs"]["check"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout") and checkout["with"]["fetch-depth"] == 0
    installs = [s["run"] for s in github["jobs"]["check"]["steps"] if "pip install" in
                s.get("run", "")] + [c for c in gitlab["dc-check"]["script"] if "pip" in c]
    assert installs == ['pip install "dianchang-cli @ ${DC_SOURCE}"'] * 2
    placeholder = tmp_path / "default"
    assert init(placeholder).returncode == 0
    assert "@DC_SOURCE@" not in (placeholder / ".gitlab-ci.yml").read_text("utf-8")


def run_ci_line(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a ``dc …`` line of a CI file the way its shell would (with ``> file``)."""
    words = shlex.split(line)
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    assert words[0] == "dc"
    done = dc(*words[1:], cwd=cwd)
    if target:
        (cwd / target).write_text(done.stdout, encoding="utf-8")
    return done


def test_the_ci_commands_run_in_the_new_repository(tmp_path) -> None:
    new = tmp_path / "new"
    assert init(new).returncode == 0
    target = new / "records" / "dongyuan" / "2023" / "04" / "reading-0423.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(new / "examples" / "reading-activity.yaml", target)
    GitRepo(new).commit("2023-04-24", "dy-sec@example.org")
    gh, gl, _github, _gitlab = ci_commands(new)

    annotations = run_ci_line(gh, new)
    assert annotations.returncode in (0, 1), annotations.stderr
    lines = annotations.stdout.splitlines()
    assert lines and all(li.startswith("::") for li in lines)
    assert not any(li.startswith("::error file=") for li in lines)  # no invalid record

    junit = run_ci_line(gl, new)
    assert junit.returncode in (0, 1), junit.stderr
    tree = ET.parse(new / "dc-junit.xml")
    assert tree.getroot().iter("testcase")
    suites = [s.get("name") for s in tree.getroot().iter("testsuite")]
    assert "records" not in suites  # no invalid records


def test_dest_that_is_a_file_is_a_usage_error(tmp_path) -> None:
    dest = tmp_path / "file"
    dest.write_text("x", encoding="utf-8")
    done = init(dest)
    assert done.returncode == 2 and "Traceback" not in done.stderr


# ---------------------------------------------------------------- editors
def test_editor_files_map_the_schema_of_the_new_plan_onto_records(tmp_path) -> None:
    from jsonschema import Draft202012Validator

    from dianchang_cli.engine.plancheck import load_plan
    from dianchang_cli.intake.schema import schema_text
    from dianchang_cli.load.yamlsafe import load_bytes

    new = tmp_path / "new"
    done = init(new, cwd=tmp_path)  # the packaged minimal plan: not the project's schema
    assert done.returncode == 0, done.stderr
    assert str(new / "records.schema.json") in done.stdout
    text = (new / "records.schema.json").read_text(encoding="utf-8")
    assert text == schema_text(load_plan(new / "plan", new))
    assert text != (ROOT / "records.schema.json").read_text(encoding="utf-8")
    settings = json.loads((new / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {
        "./records.schema.json": ["records/**/*.yaml", "records/**/*.yml"]}
    assert settings["files.encoding"] == "utf8"
    extensions = json.loads((new / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]
    example = new / "examples" / "reading-activity.yaml"
    value = load_bytes(example.read_bytes(), str(example)).value
    assert not list(Draft202012Validator(json.loads(text)).iter_errors(value))
    readme = (new / "README.md").read_text(encoding="utf-8")
    assert "VS Code" in readme and "dc schema -o records.schema.json" in readme


def test_the_schema_is_overwritten_only_with_force(tmp_path) -> None:
    new = tmp_path / "new"
    assert init(new).returncode == 0
    schema = new / "records.schema.json"
    schema.write_text("{}\n", encoding="utf-8")
    again = init(new)
    assert again.returncode == 1 and str(schema) in again.stdout
    assert schema.read_text(encoding="utf-8") == "{}\n"
    assert init(new, "--force").returncode == 0
    from dianchang_cli.engine.plancheck import load_plan
    from dianchang_cli.intake.schema import schema_text

    text = schema.read_text(encoding="utf-8")
    assert text == schema_text(load_plan(new / "plan", new))
    units = json.loads(text)["$defs"]["unit"]["enum"]  # the new units.yaml, not the project's
    assert units == [u["id"] for u in yaml.safe_load(
        (new / "plan" / "units.yaml").read_text(encoding="utf-8"))["units"]]
