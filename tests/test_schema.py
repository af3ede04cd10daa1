"""``dc schema``: the editor's schema of a record file agrees with ``dc validate``.

The schema is generated from the plan (``intake/schema.py``).  It is checked here against
the validator it imitates: every demo record (and the same records written with Chinese
keys) is valid to both; every case of ``schema-cases/`` is refused by both, with the code
its first line names.  What a schema cannot see (resident numbers, ids used twice,
references to other records, ``not_before`` order, a float where a whole number is expected)
is the table :data:`KNOWN_DIFFERENCES`, and each entry is shown to be a real difference.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.intake.schema import PATTERNS, record_schema, schema_text
from dianchang_cli.intake.writer import SCHEMA_FILE
from dianchang_cli.load.yamlsafe import load_bytes
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.records import values
from dianchang_cli.records.model import Record
from dianchang_cli.records.validate import TypeSchema, Validator, cross_check

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "schema-cases"
REGENERATE = "dc schema -o records.schema.json"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(ROOT / "plan", ROOT)


@pytest.fixture(scope="module")
def schema(plan: Plan) -> dict[str, Any]:
    return record_schema(plan)


@pytest.fixture(scope="module")
def checker(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def validator(plan: Plan) -> Validator:
    return Validator(plan)


def both(text: bytes, name: str, checker: Draft202012Validator, validator: Validator
         ) -> tuple[list[str], Record | None, list[str]]:
    """The schema's error messages, dc's record and dc's error codes for one file."""
    loaded = load_bytes(text, name)
    assert loaded.problem is None, loaded.problem
    errors = [e.message for e in checker.iter_errors(loaded.value)]
    record, problems = validator.validate(loaded.value, loaded.node, name, Path(name).stem)
    return errors, record, [p.code for p in problems if p.severity == "error"]


# ---------------------------------------------------------------- the schema itself
def test_the_schema_is_valid_2020_12(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_committed_schema_is_what_dc_schema_generates_now(plan: Plan) -> None:
    committed = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(plan), (
        f"{SCHEMA_FILE} is out of date with plan/: regenerate it with `{REGENERATE}` "
        "and commit it")


def test_dc_schema_prints_it_and_writes_it(tmp_path: Path, plan: Plan) -> None:
    done = subprocess.run([sys.executable, "-m", "dianchang_cli", "schema"], cwd=ROOT,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8") == schema_text(plan)
    target = tmp_path / "out" / "s.json"
    wrote = subprocess.run([sys.executable, "-m", "dianchang_cli", "schema", "--repo",
                            str(ROOT), "-o", str(target)], capture_output=True, timeout=120)
    assert wrote.returncode == 0 and not wrote.stdout
    assert target.read_text(encoding="utf-8") == schema_text(plan)


def test_a_broken_plan_is_exit_2(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "plan", tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "plan" / "broken.yaml").write_text("rules:\n  - id: x\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "dianchang_cli", "schema", "--repo",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "broken.yaml" in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout


def test_every_field_under_every_spelling_with_chinese_words(plan: Plan,
                                                             schema: dict[str, Any]) -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    branches = {b["then"]["title"]: b["then"] for b in schema["allOf"]}
    assert list(branches) == [t.name for t in plan.types.values()]
    for rtype in plan.types.values():
        then, ts = branches[rtype.name], TypeSchema(plan, rtype)
        assert then["additionalProperties"] is False
        assert set(then["properties"]) == set(ts.keys)
        for key in ts.keys:
            prop = resolve(schema, then["properties"][key])
            assert cjk.search(prop["title"]) and cjk.search(prop["description"]), key
            required = ts.keys[key] in ts.required
            assert ("必填" in prop["description"]) == required, (rtype.id, key)


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A property written once in ``$defs`` and referred to (a bare ``$ref``)."""
    ref = node.get("$ref")
    return schema["$defs"][ref.rsplit("/", 1)[1]] if ref and len(node) == 1 else node


def test_units_and_staff_complete_with_their_names(plan: Plan, schema: dict[str, Any]) -> None:
    units, staff = schema["$defs"]["unit"], schema["$defs"]["staff"]
    assert units["enum"] == list(plan.units)
    assert units["enumDescriptions"] == [u.name for u in plan.units.values()]
    assert staff["enum"] == list(plan.staff)
    narrowed = [b["then"] for b in schema["allOf"]
                if plan.type_of(b["then"]["title"]).unit_kinds]
    assert narrowed  # the demo plan has a type kept by one kind of unit
    for then in narrowed:
        kinds = plan.type_of(then["title"]).unit_kinds
        ref = then["properties"]["unit"]["$ref"]  # a required unit: one value, filled
        enum = schema["$defs"][ref.rsplit("/", 1)[1]]["enum"]
        assert enum == [u.id for u in plan.units.values() if u.kind in kinds]


# ---------------------------------------------------------------- the patterns
DATES = ["2023-04-05", "2023/4/5", "2023.4.5", "2023年4月5日", " 2023 年 4 月 5 日 ",
         "2024-02-29", "2000-2-29", "2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01",
         "1899-12-31", "3000-01-01", "23-4-5", "2023-4", "2023–04–05", "2023-04-05x"]
DATETIMES = ["2023-05-03 10:05", "2023-05-03T10:05:00+08:00", "2023年5月3日 10时05分",
             "2023-05-03 10:05:30.5Z", "2023-05-03T10:05-1200", "2023-05-03 24:00",
             "2023-05-03 10:05+14:30", "2023-05-03 10:60", "2023-05-03", "2023-05-03 10:05 +08"]
MONTHS = ["2023-04", "2023年4月", "2023/12", "2023-13", "2023-0", "1899-01", "2023"]
URLS = ["https://example.org/a.jpg", "evidence/a.jpg", "evidence\\a.jpg", "../a.jpg",
        "a/../b", "a/..b", "/etc/passwd", "C:/a", "http://example.org", "https://", " ", ""]


@pytest.mark.parametrize(("kind", "reader", "samples"), [
    ("date", values.read_date, DATES), ("datetime", values.read_datetime, DATETIMES),
    ("month", values.read_month, MONTHS), ("url", values.read_url, URLS)])
def test_patterns_accept_what_dc_reads(kind: str, reader: Any, samples: list[str]) -> None:
    pattern = re.compile(PATTERNS[kind])
    for text in samples:
        try:
            reader(text)
            accepted = True
        except values.BadValue:
            accepted = False
        assert bool(pattern.search(text)) == accepted, (kind, text)


@pytest.mark.skipif(shutil.which("node") is None, reason="no JavaScript engine here")
def test_patterns_mean_the_same_in_the_editor() -> None:
    """yaml-language-server compiles patterns as ECMAScript regular expressions (``u``)."""
    samples = {"date": DATES, "datetime": DATETIMES, "month": MONTHS, "url": URLS}
    script = ("const d=JSON.parse(require('fs').readFileSync(0,'utf8'));const o={};"
              "for(const k in d.s){const r=new RegExp(d.p[k],'u');o[k]=d.s[k].map(v=>r.test(v));}"
              "console.log(JSON.stringify(o));")
    done = subprocess.run(["node", "-e", script], input=json.dumps(
        {"s": samples, "p": {k: PATTERNS[k] for k in samples}}), capture_output=True,
        text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for kind, results in json.loads(done.stdout).items():
        expected = [bool(re.search(PATTERNS[kind], s)) for s in samples[kind]]
        assert results == expected, kind


# ---------------------------------------------------------------- agreement
def demo_files() -> list[Path]:
    return sorted(p for p in (ROOT / "records").rglob("*") if p.suffix in (".yaml", ".yml"))


def test_every_demo_record_is_valid_to_both(checker: Draft202012Validator,
                                            validator: Validator) -> None:
    files = demo_files()
    assert len(files) >= 800
    refused = {}
    for path in files:
        errors, record, codes = both(path.read_bytes(), str(path), checker, validator)
        if errors or record is None:
            refused[path.relative_to(ROOT).as_posix()] = (errors[:2], codes)
    assert not refused, refused


def chinese_keys(plan: Plan, value: dict[str, Any]) -> dict[str, Any]:
    """A record's keys rewritten under each field's last spelling (its Chinese name or an
    alias), the type key included."""
    ts = TypeSchema(plan, plan.type_of(value["type"]))
    return {ts.fields[ts.keys[k]].spellings(ts.keys[k])[-1]: v for k, v in value.items()}


def test_demo_records_with_chinese_keys_are_valid_to_both(
        tmp_path: Path, plan: Plan, checker: Draft202012Validator,
        validator: Validator) -> None:
    one_per_type: dict[str, Path] = {}
    for path in demo_files():
        value = load_bytes(path.read_bytes(), str(path)).value
        one_per_type.setdefault(value["type"], path)
    assert len(one_per_type) >= 10
    for type_name, path in one_per_type.items():
        value = load_bytes(path.read_bytes(), str(path)).value
        rewritten = chinese_keys(plan, value)
        assert rewritten.keys() != value.keys()
        target = tmp_path / path.name
        target.write_text(yaml.safe_dump(rewritten, allow_unicode=True), encoding="utf-8")
        errors, record, codes = both(target.read_bytes(), str(target), checker, validator)
        assert not errors and record is not None, (type_name, errors[:2], codes)


def test_a_future_date_is_only_a_warning_to_dc(checker: Draft202012Validator,
                                               validator: Validator) -> None:
    text = "type: 阅读活动\nunit: dongyuan\ndate: 2999-04-23\ntitle: 读书\n".encode()
    errors, record, _codes = both(text, "future.yaml", checker, validator)
    assert not errors and record is not None


# Values that test the edges of every kind of field: empty ones, numbers as text and text
# as numbers, every date form, lists where one value is expected and the other way round.
TRICKY = ["''", "~", "[]", "0", "-1", "36", "3.5", "1e3", ".nan", "true", "false", "是", "否",
          "abc", "'  '", "'36'", "１２", "2023-04-05", "2023/4/5", "2023年4月", "2023-04",
          "2023", "2023-Q3", "2023-05-03 10:05", "2023-05-03T10:05+15:00",
          "https://x.org/a", "http://x.org/a", "evidence/a.jpg", "../a.jpg", "[a, b]",
          "[2023-04-05]", "{a: 1}", "[~]", "[[]]", "dongyuan", "dongyuan-b1", "[dongyuan]",
          "dy-sec", "'12.2'", "12.2", "企业", "[企业]", "[企业, 学校]", "其他", "[true]"]
# (field kind, value) where the schema accepts what dc refuses; see KNOWN_DIFFERENCES
# (a float for a whole number; NaN, where numbers are taken: a number field, or a rule id
# written without quotes, such as 12.2)
TRICKY_KNOWN = {("integer", "1e3"), ("number", ".nan"), ("rule", ".nan")}


def representatives(plan: Plan, demo: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """One (type, field) for each kind of field (list items and enums apart), taken from
    types that have a demo record to start from."""
    seen: dict[tuple[str, str, bool], tuple[str, str]] = {}
    for type_id in demo:
        for name, spec in TypeSchema(plan, plan.types[type_id]).fields.items():
            kind = (spec.type, spec.items if spec.type == "list" else "", bool(spec.values))
            if name != "type":
                seen.setdefault(kind, (type_id, name))
    return list(seen.values())


def test_tricky_values_agree_field_by_field(plan: Plan, checker: Draft202012Validator,
                                            validator: Validator) -> None:
    demo: dict[str, dict[str, Any]] = {}
    for path in demo_files():
        value = load_bytes(path.read_bytes(), str(path)).value
        demo.setdefault(plan.type_names[value["type"]], value)
    fields = representatives(plan, demo)
    assert len(fields) >= 12
    differ = set()
    for type_id, name in fields:
        spec = TypeSchema(plan, plan.types[type_id]).fields[name]
        rest = {k: v for k, v in demo[type_id].items() if k not in spec.spellings(name)}
        head = yaml.safe_dump(rest, allow_unicode=True)
        for raw in TRICKY:
            text = f"{head}{name}: {raw}\n".encode()
            errors, record, _codes = both(text, f"{type_id}.yaml", checker, validator)
            if bool(errors) != (record is None):  # one refuses what the other takes
                differ.add((spec.items if spec.type == "list" else spec.type, raw,
                            record is None, not errors))
    assert {(k, r) for k, r, _dc_refuses, _schema_accepts in differ} <= TRICKY_KNOWN, differ
    assert all(dc_refuses and schema_accepts for _k, _r, dc_refuses, schema_accepts in differ)


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


CASE_LINE = re.compile(r"^# (?P<what>.+) \(dc: (?P<code>[a-z-]+)\)$")


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_a_bad_record_is_refused_by_both(path: Path, checker: Draft202012Validator,
                                         validator: Validator) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    said = CASE_LINE.match(first)
    assert said, f"{path.name}: the first line says what is wrong and dc's code: {first}"
    errors, record, codes = both(path.read_bytes(), path.name, checker, validator)
    assert record is None and said["code"] in codes, (said["what"], codes)
    assert errors, f"the schema accepts {path.name}: {said['what']}"


def test_the_corpus_is_broad() -> None:
    assert len(case_files()) >= 20


# ---------------------------------------------------------------- known differences
RECORD = "type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 读书\n"
INCIDENT = ("type: 舆情处置\nunit: dongyuan\ndate: 2023-05-03\ntitle: 舆情\n"
            "reported_at: 2023-05-03 10:05\n")
KNOWN_DIFFERENCES: dict[str, tuple[list[str], str, str]] = {
    # name: (record files, dc's code, why a schema cannot say it)
    "mobile number": ([RECORD + "summary: 联系 13800138000\n"], "pii",
                      "resident numbers are found by check digits and prefixes in any field; "
                      "a pattern on every text would refuse ordinary numbers"),
    "id-card number": ([RECORD + "summary: 身份证 11010519491231002X\n"], "pii",
                       "the ID-card check digit is arithmetic, not a pattern"),
    "not_before": ([INCIDENT + "responded_at: 2023-05-03 10:03\n"], "bad-value",
                   "comparing two fields of one record is beyond JSON Schema"),
    "whole number written as a float": ([RECORD + "participants: 36.0\n"], "bad-value",
                                        "JSON Schema's integer is a value (36.0 is 36); dc "
                                        "reads the YAML type"),
    "not a number": ([RECORD + "participants: 3\nservice_hours: .nan\n"], "bad-value",
                     "NaN passes minimum and maximum, which compare false"),
    "duplicate id": ([RECORD + "id: r1\n", RECORD + "id: r1\n"], "duplicate-id",
                     "one file cannot know the ids of the others"),
    "reference to a missing record": (
        ["type: 新时代文明实践志愿服务活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 服务\n"
         "theme: 卫生健康\nvolunteers: 3\nservice_hours: 6\nneed: no-such-need\n"],
        "unknown-record", "one file cannot know the ids of the others"),
}


@pytest.mark.parametrize("name", list(KNOWN_DIFFERENCES))
def test_known_differences_are_real(name: str, plan: Plan, checker: Draft202012Validator,
                                    validator: Validator) -> None:
    texts, code, _why = KNOWN_DIFFERENCES[name]
    records, codes = [], []
    for i, text in enumerate(texts):
        errors, record, found = both(text.encode(), f"known-{i}.yaml", checker, validator)
        assert not errors, (name, errors)  # the schema accepts …
        codes += found
        if record is not None:
            records.append(record)
    _kept, problems = cross_check(plan, records)
    codes += [p.code for p in problems]
    assert code in codes, (name, codes)  # … and dc refuses
