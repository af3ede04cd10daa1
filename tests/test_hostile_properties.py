"""Property tests for the loader and the validator: whatever the bytes, problems come back as
values, one file never takes more than a second, and a bad file never costs a good one.

Three kinds of input: random bytes, random YAML (mappings, lists and scalars dumped with
``yaml.safe_dump``, and mappings built from the plan's own field names so the validator's
readers are reached), and valid demo records mutated byte by byte, line by line and with
hostile characters.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import PLAN
from dianchang_cli.diagnostics import Problem
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.load.yamlsafe import load_bytes
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.records.batch import load_records
from dianchang_cli.records.model import Record
from dianchang_cli.records.validate import Validator

OK_DIR = Path(__file__).resolve().parent / "hostile" / "_ok"
OK_FILES = sorted(OK_DIR.glob("*.yaml"))
OK_BYTES = [p.read_bytes() for p in OK_FILES]
ONE_FILE_S = 1.0  # a hang guard, not a benchmark
PROPS = settings(max_examples=200, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def plan() -> Plan:
    return load_plan(PLAN)


@cache
def validator() -> Validator:
    return Validator(plan())


def check_one(data: bytes) -> tuple[Record | None, list[Problem]]:
    """Load and validate one file's bytes the way ``dc`` does; time it; check the shape."""
    start = time.perf_counter()
    loaded = load_bytes(data, "records/x.yaml")
    if loaded.problem is not None:
        record, problems = None, [loaded.problem]
    else:
        record, problems = validator().validate(loaded.value, loaded.node, "records/x.yaml",
                                                "x")
    elapsed = time.perf_counter() - start
    assert elapsed < ONE_FILE_S, f"one file took {elapsed:.2f} s"
    assert all(isinstance(p, Problem) for p in problems)
    for p in problems:
        assert p.code and p.message, p
        assert p.line >= 0 and p.column >= 0, p
        assert len(p.message) < 2000, f"message of {len(p.message)} characters"
    if record is None:
        assert problems, "a refused file says why"
    return record, problems


# ----------------------------------------------------------------------------- strategies

_HOSTILE_CHARS = ["\x00", "\x1b", "\x07", "\u202e", "\u200b", "\ufeff", "\u3000", "\t", "\r",
                  "\n", "：", "１", "－", "&", "*", "!", "!!", "%", "|", ">", "{", "}", "[",
                  "]", "~", "<<", "---", "...", "#", "'", '"', "\\", "9" * 30, "é", "𠀀"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10 ** 40),
                                                         max_value=10 ** 40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["no", "yes", "on", "10:05", "0123", "0x1F", ".inf", "2023-02-30",
                     "2023-05-10", "2023-07-20T02:05:00+24:00", "13812345678",
                     "１３８ １２３４ ５６７８", "11010519491231002X", "../../etc/passwd",
                     "http://x", "https://example.org/a", "dongyuan", "hx-pub", "12.2"]))
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.one_of(st.text(max_size=12), st.integers(),
                                                      st.none(), st.booleans()),
                                            inner, max_size=5)),
    max_leaves=30)


@cache
def field_names() -> list[str]:
    names = set(plan().common_fields)
    for t in plan().types.values():
        names.update(t.fields)
    return sorted(names)


@cache
def type_names() -> list[str]:
    return sorted(plan().type_names)


def record_like() -> st.SearchStrategy[dict[str, Any]]:
    """Mappings shaped like records: a real type and unit, real field names, any values."""
    return st.builds(
        lambda t, u, rest: {"type": t, "unit": u, **rest},
        st.one_of(st.sampled_from(type_names()), scalars),
        st.one_of(st.sampled_from(sorted(plan().units)), scalars),
        st.dictionaries(st.one_of(st.sampled_from(field_names()), st.text(max_size=8)),
                        yaml_values, max_size=8))


HOSTILE_VALUES: list[Any] = [
    "", "no", "on", "10:05", "0123", 2 ** 64, 10 ** 400, -1, 1e400, float("nan"), True, None,
    [], {}, ["x", {"y": 1}], "2023-02-30", "0000-01-01", "9999-12-31", "0001-01-01",
    "2023-07-20T02:05:00+24:00", "2023-07-20T02:05:00+99:99", "9999-12-31T23:59:00-12:00",
    "0001-01-01T00:00:00+14:00", "2023-13", "\x1b[2J", "\u202e", "x" * 5000,
    "+86 138 1234 5678", "１３８１２３４５６７８", "11010519491231002X", "../../etc/passwd",
    "C:\\x", "file:///etc/passwd", "http://x", "nosuch"]
_HOSTILE_VALUES = st.sampled_from(HOSTILE_VALUES)


def _valid_sample(kind: str, values: list[str] | None) -> st.SearchStrategy[Any]:
    p = plan()
    return {
        "text": st.text(min_size=1, max_size=20), "integer": st.integers(0, 10 ** 6),
        "number": st.floats(0, 1e6), "bool": st.booleans(),
        "date": st.dates().map(lambda d: d.isoformat()),
        "datetime": st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="minutes")),
        "month": st.sampled_from(["2023-04", "2023-12", "2024-01"]),
        "period": st.sampled_from(["2023-07", "2023-Q3", "2023-H1", "2023"]),
        "url": st.sampled_from(["evidence/a.jpg", "https://example.org/a"]),
        "staff": st.sampled_from(sorted(p.staff)), "unit": st.sampled_from(sorted(p.units)),
        "record": st.sampled_from(["hexi-gzh", "nosuch"]),
        "rule": st.sampled_from(sorted(r.id for r in p.rules)),
        "enum": st.sampled_from(values or ["x"]),
    }[kind]


@st.composite
def typed_record(draw: Callable[..., Any]) -> dict[str, Any]:
    """A record of a real type whose fields get a valid-looking or a hostile value each."""
    p = plan()
    rtype = p.types[draw(st.sampled_from(sorted(p.types)))]
    fields = {**p.common_fields, **rtype.fields}
    out: dict[str, Any] = {"type": rtype.id}
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=len(fields),
                              unique=True)):
        spec = fields[name]
        if spec.type == "list":
            good = st.lists(_valid_sample(spec.items, spec.values), max_size=3)
        else:
            good = _valid_sample(spec.type, spec.values)
        out[name] = draw(st.one_of(good, good, _HOSTILE_VALUES))
    return out


def _dump(value: Any) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def mutated(draw: Callable[..., Any]) -> bytes:
    """A valid demo record after one to four random edits."""
    data = bytearray(draw(st.sampled_from(OK_BYTES)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "char", "dup-line",
                                   "drop-line", "swap-lines", "indent"]))
        if op in ("flip", "insert", "delete") and data:
            i = draw(st.integers(0, len(data) - 1))
            if op == "flip":
                data[i] = draw(st.integers(0, 255))
            elif op == "insert":
                data[i:i] = bytes([draw(st.integers(0, 255))])
            else:
                del data[i]
        elif op == "char":
            text = data.decode("utf-8", "surrogateescape")
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.sampled_from(_HOSTILE_CHARS)) + text[i:]
            data = bytearray(text.encode("utf-8", "surrogateescape"))
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "dup-line":
                lines.insert(j, lines[i])
            elif op == "drop-line":
                del lines[i]
            elif op == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = b"  " + lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


# ----------------------------------------------------------------------------- properties

def test_the_standard_records_are_valid() -> None:
    """The base of every mutation is itself a valid record."""
    for data in OK_BYTES:
        record, problems = check_one(data)
        assert record is not None and not problems, problems


@PROPS
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    check_one(data)


@PROPS
@given(st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbf" + b))
def test_random_bytes_after_a_bom(data: bytes) -> None:
    check_one(data)


@PROPS
@given(yaml_values)
def test_random_yaml(value: Any) -> None:
    check_one(_dump(value))


@PROPS
@given(record_like())
def test_record_shaped_yaml(value: dict[str, Any]) -> None:
    record, _problems = check_one(_dump(value))
    if record is not None:
        assert record.unit in plan().units
        assert record.type in plan().types


def test_every_field_of_every_type_with_every_hostile_value() -> None:
    """Exhaustive, not random: each field reader meets each hostile value once."""
    p = plan()
    first = next(iter(p.types))
    pairs = [(first, name) for name in p.common_fields if name != "type"]
    pairs += [(t.id, name) for t in p.types.values() for name in t.fields]
    for type_id, name in pairs:
        for value in HOSTILE_VALUES:
            check_one(_dump({"type": type_id, "unit": "dongyuan", name: value}))
            check_one(_dump({"type": type_id, "unit": "dongyuan", name: [value]}))


@PROPS
@given(typed_record())
def test_typed_records_with_hostile_values(value: dict[str, Any]) -> None:
    check_one(_dump(value))


@PROPS
@given(mutated())
def test_mutated_records(data: bytes) -> None:
    check_one(data)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(mutated(), yaml_values.map(_dump), st.binary(max_size=300)))
@example((OK_DIR / "account.yaml").read_bytes())  # the same explicit id as a standard record
@example(b"id: ok/reading\n" + (OK_DIR / "reading.yaml").read_bytes())  # a default id
def test_a_bad_file_never_costs_a_valid_one(data: bytes) -> None:
    """One hostile file beside the standard records: every standard record still loads.

    The hostile file sorts after the standard ones, so when it claims one of their ids it
    is the duplicate.
    """
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        records_dir = root / "records"
        (records_dir / "ok").mkdir(parents=True)
        for path, raw in zip(OK_FILES, OK_BYTES, strict=True):
            (records_dir / "ok" / path.name).write_bytes(raw)
        (records_dir / "zz").mkdir()
        (records_dir / "zz" / "hostile.yaml").write_bytes(data)
        start = time.perf_counter()
        loaded = load_records(plan(), records_dir, root, workers=1)
        elapsed = time.perf_counter() - start
    assert elapsed < ONE_FILE_S + 1, f"loading took {elapsed:.2f} s"
    ok_files = {f"records/ok/{p.name}" for p in OK_FILES}
    assert ok_files <= {r.file for r in loaded.records}, \
        [p.text() for p in loaded.problems if p.file in ok_files]
    assert not [p for p in loaded.problems if p.file in ok_files and p.severity == "error"]
    assert all(isinstance(p, Problem) for p in loaded.problems)
