"""The hostile corpus: every case folder of ``tests/hostile/`` is one run of ``dc``.

A case is ``tests/hostile/<class>/<NNN-name>/case.yaml`` (format in ``tests/hostile/README.md``).
For each case a fresh repository is built in ``tmp_path``: a copy of the real plan (without
its tests), the standard valid records of ``tests/hostile/_ok/`` under ``records/ok/``, and
whatever the case writes or sets up.  ``dc`` then runs in this process (or, for cases that
could hang inside native code or eat memory, in a child process with a timeout and a memory
cap) and the outcome is compared with the case's ``expect``:

* the exit status, the problem codes (from ``-f json`` output or ``file:line:col: [code]``
  lines), codes that must not appear, text that must or must not appear, output size caps;
* never a traceback, never a raw ESC byte in the output, never over the time budget;
* for ``dc check -f json``: every standard valid record is still counted.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import PLAN
from dianchang_cli import i18n
from dianchang_cli.cli import main

HOSTILE = Path(__file__).resolve().parent / "hostile"
OK_RECORDS = sorted((HOSTILE / "_ok").glob("*.yaml"))
CASES = sorted(p.parent for p in HOSTILE.glob("*/*/case.yaml"))
DEFAULT_COMMAND = ["check", "-f", "json", "--fail-on", "invalid"]
DEFAULT_BUDGET_S = 10.0
MEMORY_CAP = 3 * 1024 ** 3  # child processes: a runaway read fails instead of eating the machine
PROBLEM_LINE = re.compile(r"^\s*(?P<file>.*?):(?P<line>\d+)(?::(?P<column>\d+))?: "
                          r"\[(?P<code>[a-z][a-z0-9-]*)\]", re.M)
KNOWN_KEYS = {"about", "command", "env", "files", "bytes_hex", "encoded", "generate", "setup",
              "edits", "append", "remove", "subprocess", "skip_if_root", "expect"}
KNOWN_EXPECT = {"exit", "codes", "absent_codes", "stdout_contains", "stderr_contains",
                "output_contains", "output_absent", "stdout_max_bytes", "stderr_max_bytes",
                "budget_s", "no_traceback", "counted", "files_absent", "files_exist",
                "file_absent_text", "ok_records", "file_max_bytes", "file_prefix",
                "xlsx_no_formulas", "result_units", "file_text"}


def test_corpus_is_large_enough() -> None:
    """Issue 8 asks for at least 150 cases, in several classes, each described."""
    assert len(CASES) >= 150, len(CASES)
    assert len({c.parent.name for c in CASES}) >= 8
    assert len(OK_RECORDS) >= 6


@dataclass
class Ran:
    """One run of ``dc``: exit status, both streams, wall time."""

    code: int | str
    stdout: str
    stderr: str
    stdout_bytes: int
    stderr_bytes: int
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr


class Hang(BaseException):
    """Raised by SIGALRM inside an in-process run that overran its hard limit."""


# ----------------------------------------------------------------------------- building

def _sub(text: str, places: dict[str, Path]) -> str:
    for name, path in places.items():
        text = text.replace("{" + name + "}", str(path))
    return text


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build_repo(case: dict[str, Any], case_dir: Path, tmp_path: Path) -> dict[str, Path]:
    """The case's repository under ``tmp_path/repo``; a valid record lives ``outside``."""
    root, outside = tmp_path / "repo", tmp_path / "outside"
    places = {"root": root, "outside": outside, "tmp": tmp_path}
    shutil.copytree(PLAN, root / "plan", ignore=shutil.ignore_patterns("tests"))
    for src in OK_RECORDS:
        _write(root / "records" / "ok" / src.name, src.read_bytes())
    _write(outside / "record.yaml", OK_RECORDS[0].read_bytes())
    if (case_dir / "repo").is_dir():
        shutil.copytree(case_dir / "repo", root, dirs_exist_ok=True, symlinks=True)
    for rel in case.get("remove", []):
        target = root / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    for edit in case.get("edits", []):
        path = root / edit["path"]
        text = path.read_text(encoding="utf-8")
        assert edit["find"] in text, f"edit of {edit['path']}: {edit['find']!r} not found"
        path.write_text(text.replace(edit["find"], edit["replace"], 1), encoding="utf-8")
    for rel, text in case.get("append", {}).items():
        path = root / rel
        with path.open("a", encoding="utf-8", newline="") as f:
            f.write(text)
    for rel, text in case.get("files", {}).items():
        _write(root / rel, text.encode("utf-8", "surrogatepass"))
    for rel, hexed in case.get("bytes_hex", {}).items():
        _write(root / rel, bytes.fromhex("".join(hexed.split())))
    for item in case.get("encoded", []):
        _write(root / item["path"], item["text"].encode(item["encoding"]))
    for gen in case.get("generate", []):
        body = "".join(gen["repeat"].replace("{i}", str(i)) for i in range(gen["times"]))
        data = (gen.get("prefix", "") + body + gen.get("suffix", "")).encode("utf-8")
        for n in range(gen.get("files", 1)):
            _write(root / gen["path"].replace("{n}", f"{n:04d}"), data)
    for action in case.get("setup", []):
        _setup(action, root, places)
    return places


def _setup(action: dict[str, Any], root: Path, places: dict[str, Path]) -> None:
    if "symlink" in action:
        link = root / action["symlink"]
        if os.name == "nt" and not action["to"].startswith("{"):
            pytest.skip("symbolic links to system files are a POSIX setup")
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(_sub(action["to"], places))
    elif "fifo" in action:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this platform")
        path = root / action["fifo"]
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
    elif "mkdir" in action:
        (root / action["mkdir"]).mkdir(parents=True, exist_ok=True)
    elif "chmod" in action:
        os.chmod(root / action["chmod"], int(str(action["mode"]), 8))
    elif "git_init" in action:
        git = shutil.which("git")
        if git is None:
            pytest.skip("git is not installed")
        subprocess.run([git, "init", "-q", str(root)], check=True, capture_output=True)
    elif "chown_repo" in action:  # git then sees "dubious ownership"
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            pytest.skip("only root can give the repository to another user")
        uid = int(action["chown_repo"])
        for folder, dirs, files in os.walk(root):
            for name in [*dirs, *files]:
                os.lchown(os.path.join(folder, name), uid, uid)
        os.lchown(root, uid, uid)
    else:  # pragma: no cover - a broken case file
        raise AssertionError(f"unknown setup action {action}")


# ----------------------------------------------------------------------------- running

@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: Any) -> None:
        raise Hang()

    if not hasattr(signal, "SIGALRM"):  # Windows: child-process cases still time out
        yield
        return
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_in_process(argv: list[str], cwd: Path, env: dict[str, str], limit: float) -> Ran:
    """``dc argv`` through :func:`dianchang_cli.cli.main`, streams captured as bytes."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace",
                           write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace",
                           write_through=True)
    saved_env = {k: os.environ.get(k) for k in [*env, "DC_LANG"]}
    os.environ.pop("DC_LANG", None)
    os.environ.update(env)
    language, here = i18n.current(), os.getcwd()
    os.chdir(cwd)
    start = time.perf_counter()
    code: int | str = 0
    try:
        with _alarm(limit), redirect_stdout(out), redirect_stderr(err):
            try:
                main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
    except Hang:
        code = "hang"
    except BaseException:
        code = "exception"
        err.write(traceback.format_exc())
    finally:
        seconds = time.perf_counter() - start
        os.chdir(here)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        i18n.set_language(language)
    raw_out, raw_err = out.buffer.getvalue(), err.buffer.getvalue()  # type: ignore[attr-defined]
    return Ran(code, raw_out.decode("utf-8", "backslashreplace"),
               raw_err.decode("utf-8", "backslashreplace"), len(raw_out), len(raw_err), seconds)


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_in_child(argv: list[str], cwd: Path, env: dict[str, str], limit: float) -> Ran:
    """``python -m dianchang_cli argv`` with a timeout and an address-space cap."""
    child_env = {k: v for k, v in os.environ.items() if k != "DC_LANG"} | env
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "dianchang_cli", *argv], cwd=cwd,
                              env=child_env, capture_output=True, timeout=limit,
                              stdin=subprocess.DEVNULL,
                              preexec_fn=_cap_memory if os.name == "posix" else None)
    except subprocess.TimeoutExpired as exc:
        out, err = exc.stdout or b"", exc.stderr or b""
        return Ran("hang", out.decode("utf-8", "backslashreplace"),
                   err.decode("utf-8", "backslashreplace"), len(out), len(err),
                   time.perf_counter() - start)
    return Ran(done.returncode, done.stdout.decode("utf-8", "backslashreplace"),
               done.stderr.decode("utf-8", "backslashreplace"), len(done.stdout),
               len(done.stderr), time.perf_counter() - start)


# ----------------------------------------------------------------------------- checking

def found_problems(ran: Ran) -> list[dict[str, Any]]:
    """Problems in the output: ``errors`` and ``warnings`` of JSON output, and
    ``file:line:col: [code]`` lines."""
    found: list[dict[str, Any]] = []
    data = _json(ran.stdout)
    for key in ("errors", "warnings"):
        if isinstance(data, dict) and isinstance(data.get(key), list):
            found.extend(e for e in data[key] if isinstance(e, dict))
    for m in PROBLEM_LINE.finditer(ran.output):
        found.append({"file": m["file"], "line": int(m["line"]),
                      "column": int(m["column"] or 0), "code": m["code"]})
    return found


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _matches(want: str | dict[str, Any], got: dict[str, Any]) -> bool:
    if isinstance(want, str):
        want = {"code": want}
    codes = want["code"] if isinstance(want["code"], list) else [want["code"]]
    if got.get("code") not in codes:
        return False
    if "file" in want and got.get("file") != want["file"]:
        return False
    if "file_contains" in want and want["file_contains"] not in str(got.get("file")):
        return False
    lines = want.get("line")
    if lines is not None and got.get("line") not in (lines if isinstance(lines, list)
                                                     else [lines]):
        return False
    if "severity" in want and got.get("severity", "error") != want["severity"]:
        return False
    return not ("message_contains" in want
                and want["message_contains"] not in str(got.get("message", "")))


def check_outcome(case: dict[str, Any], argv: list[str], ran: Ran, root: Path) -> list[str]:
    """Every way the run differs from the case's ``expect``, as sentences."""
    expect = case.get("expect", {})
    unknown = set(expect) - KNOWN_EXPECT
    assert not unknown, f"unknown expect keys {unknown}"
    wrong: list[str] = []
    if ran.code == "hang":
        return [f"no answer within {ran.seconds:.1f} s (hang)"]
    if "Traceback" in ran.output or ran.code == "exception":
        wrong.append("a traceback reached the user")
    if "\x1b" in ran.output:
        wrong.append("a raw ESC byte reached the output")
    exits = expect.get("exit")
    if exits is not None:
        allowed = exits if isinstance(exits, list) else [exits]
        if ran.code not in allowed:
            wrong.append(f"exit status {ran.code}, expected {exits}")
    budget = float(expect.get("budget_s", DEFAULT_BUDGET_S))
    if ran.seconds > budget:
        wrong.append(f"took {ran.seconds:.1f} s, budget {budget} s")
    problems = found_problems(ran)
    for want in expect.get("codes", []):
        if not any(_matches(want, got) for got in problems):
            seen = sorted({(p.get("code"), p.get("file"), p.get("line")) for p in problems},
                          key=str)[:12]
            wrong.append(f"expected problem {want}; found {seen}")
    for code in expect.get("absent_codes", []):
        if any(p.get("code") == code for p in problems):
            wrong.append(f"problem code {code} must not appear")
    for key, text in (("stdout_contains", ran.stdout), ("stderr_contains", ran.stderr),
                      ("output_contains", ran.output)):
        for needle in expect.get(key, []):
            if needle not in text:
                wrong.append(f"{key}: {needle!r} missing")
    for needle in expect.get("output_absent", []):
        if needle in ran.output:
            wrong.append(f"the output must not contain {needle!r}")
    for key, size in (("stdout_max_bytes", ran.stdout_bytes),
                      ("stderr_max_bytes", ran.stderr_bytes)):
        if key in expect and size > expect[key]:
            wrong.append(f"{key}: {size} bytes > {expect[key]}")
    for rel in expect.get("files_absent", []):
        if (root / rel).exists():
            wrong.append(f"{rel} must not exist (something ran that should not)")
    for rel in expect.get("files_exist", []):
        if not (root / rel).exists():
            wrong.append(f"{rel} was not written")
    for rel, needles in expect.get("file_absent_text", {}).items():
        path = root / rel
        data = path.read_bytes().decode("utf-8", "replace") if path.is_file() else ""
        wrong.extend(f"{rel} must not contain {n!r}" for n in needles if n in data)
    for rel, needles in expect.get("file_text", {}).items():
        path = root / rel
        data = path.read_bytes().decode("utf-8", "replace") if path.is_file() else ""
        wrong.extend(f"{rel} does not contain {n!r}" for n in needles if n not in data)
    for rel, size in expect.get("file_max_bytes", {}).items():
        path = root / rel
        if path.is_file() and path.stat().st_size > size:
            wrong.append(f"{rel}: {path.stat().st_size} bytes > {size}")
    for rel, prefix in expect.get("file_prefix", {}).items():
        path = root / rel
        if not path.is_file() or not path.read_bytes().startswith(prefix.encode()):
            wrong.append(f"{rel} does not start with {prefix!r}")
    for rel in expect.get("xlsx_no_formulas", []):
        wrong.extend(_xlsx_formulas(root / rel))
    if "result_units" in expect:
        data = _json(ran.stdout)
        units = {r.get("unit") for r in (data or {}).get("results", [])} \
            if isinstance(data, dict) else set()
        extra = units - set(expect["result_units"])
        if extra:
            wrong.append(f"results for units that were not asked for: {sorted(extra)}")
    wrong.extend(_ok_records_counted(expect, argv, ran))
    return wrong


def _xlsx_formulas(path: Path) -> list[str]:
    """Cells of a workbook that a spreadsheet would run as formulas."""
    from openpyxl import load_workbook

    if not path.is_file():
        return [f"{path.name} was not written"]
    book = load_workbook(path)
    return [f"{path.name}: cell {sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
            for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f"]


def _ok_records_counted(expect: dict[str, Any], argv: list[str], ran: Ran) -> list[str]:
    """For ``check -f json`` output: no standard record has an error, all are counted."""
    data = _json(ran.stdout)
    if not expect.get("ok_records", True) or not argv or argv[0] != "check" \
            or not isinstance(data, dict) or not isinstance(data.get("records"), int):
        return []
    wrong = []
    bad = sorted({e.get("file") for e in data.get("errors", [])
                  if str(e.get("file", "")).startswith("records/ok/")
                  and e.get("severity", "error") == "error"})
    if bad:
        wrong.append(f"valid standard records were refused: {bad}")
    counted = data["records"]
    if "counted" in expect:
        if counted != len(OK_RECORDS) + expect["counted"]:
            wrong.append(f"{counted} records counted, expected {len(OK_RECORDS)} standard "
                         f"+ {expect['counted']} of the case")
    elif counted < len(OK_RECORDS):
        wrong.append(f"only {counted} records counted; the {len(OK_RECORDS)} standard "
                     "records must all count")
    return wrong


@pytest.mark.parametrize("case_dir", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_hostile_case(case_dir: Path, tmp_path: Path) -> None:
    case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    unknown = set(case) - KNOWN_KEYS
    assert not unknown, f"unknown case keys {unknown}"
    assert case.get("about"), "every case says what it is about"
    assert case.get("expect", {}).get("no_traceback", True), "no_traceback is always true"
    if case.get("skip_if_root") and hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("file permissions do not bind root")
    places = build_repo(case, case_dir, tmp_path)
    argv = [_sub(str(a), places) for a in case.get("command", DEFAULT_COMMAND)]
    env = {k: _sub(str(v), places) for k, v in case.get("env", {}).items()}
    budget = float(case.get("expect", {}).get("budget_s", DEFAULT_BUDGET_S))
    limit = budget * 2 + 5
    if case.get("subprocess"):
        ran = run_in_child(argv, places["root"], env, limit)
    else:
        ran = run_in_process(argv, places["root"], env, limit)
    wrong = check_outcome(case, argv, ran, places["root"])
    assert not wrong, (f"{case['about']}\n  dc {' '.join(argv)}\n  - " + "\n  - ".join(wrong)
                       + f"\n--- stdout (first 1500 chars)\n{ran.stdout[:1500]}"
                       + f"\n--- stderr (first 1500 chars)\n{ran.stderr[:1500]}")
