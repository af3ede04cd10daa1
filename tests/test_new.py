"""``dc new``: one record file from ``--set`` values, or from answers at a terminal.

The library (:class:`dianchang_cli.intake.new.Intake`) is tested directly; the command
through the real ``dc`` in a subprocess without a terminal (it must never wait for input),
and at a pseudo-terminal through ``pexpect``, answering the prompts as a person would.
Every repository is a copy of the demo's plan (and, for the terminal, its records) in
``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.intake.new import OTHER, Intake, UsageError, type_groups
from dianchang_cli.records.batch import load_records

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2023, 6, 1)  # "today" of the library tests
READING = "阅读活动"  # a type of the demo plan with no required field of its own


# ---------------------------------------------------------------- helpers
def _repo(tmp_path: Path, records: bool = False) -> Path:
    """A records repository in tmp_path: the demo plan, and its records when asked."""
    shutil.copytree(ROOT / "plan", tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    if records:
        shutil.copytree(ROOT / "records", tmp_path / "records")
    else:
        (tmp_path / "records").mkdir()
    return tmp_path


def _git(root: Path, email: str = "dy-pub@example.org") -> None:
    """Make ``root`` a git repository whose user commits as ``email``."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.email", email], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.name", "测试"], check=True)


def _env() -> dict[str, str]:
    """The environment of a ``dc`` run: default language, no personal git config."""
    env = {k: v for k, v in os.environ.items() if k not in ("DC_LANG", "TERMINAL_WIDTH")}
    return env | {"LANG": "C.UTF-8", "GIT_CONFIG_GLOBAL": os.devnull,
                  "GIT_CONFIG_NOSYSTEM": "1", "COLUMNS": "100", "LINES": "40",
                  "TERM": "xterm"}


def dc(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``dc new ARGS`` in ``root`` without a terminal (stdin is /dev/null)."""
    return subprocess.run([sys.executable, "-m", "dianchang_cli", "new", *args], cwd=root,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=_env(), timeout=120)


def _files(root: Path) -> set[Path]:
    return set((root / "records").rglob("*.yaml"))


@pytest.fixture
def intake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Intake:
    """The library over a copy of the demo plan, on 2023-06-01, outside any git repo."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = _repo(tmp_path)
    return Intake(load_plan(root / "plan", root), root, root / "records", day=DAY)


def _values(intake: Intake, type_name: str, *sets: str) -> tuple[str, dict]:
    type_id = intake.type_id(type_name)
    return type_id, intake.values(type_id, intake.sets(type_id, list(sets)),
                                  intake.defaults(type_id))


# ---------------------------------------------------------------- the library
def test_chinese_keys_unit_names_and_short_dates_make_a_valid_file(intake: Intake) -> None:
    type_id, values = _values(intake, READING, "名称=读书会", "日期=5.12", "单位=东苑社区",
                              "参与人数=３６人", "标签=读书、亲子")
    draft = intake.draft(type_id, values)
    assert draft.problems == []
    path = intake.write(draft)
    assert path == intake.records_dir / "dongyuan" / "2023" / "05" / f"{type_id}-0512.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../../records.schema.json\n")
    assert yaml.safe_load(text) == {"类型": READING, "单位": "dongyuan",
                                    "日期": dt.date(2023, 5, 12), "名称": "读书会",
                                    "参与人数": 36, "标签": ["读书", "亲子"]}
    loaded = load_records(intake.plan, intake.records_dir, intake.root)
    assert loaded.problems == [] and [r.title for r in loaded.records] == ["读书会"]


ACCOUNT = ("id: acc-1\ntype: media_account\nunit: dongyuan\ndate: 2023-04-03\n"
           "title: 东苑社区微信公众号\nplatform: 微信公众号\naccount_name: 东苑之家\n")


def _account(intake: Intake) -> None:
    folder = intake.records_dir / "dongyuan"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "account.yaml").write_text(ACCOUNT, encoding="utf-8")


def test_yesterday_staff_by_name_and_english_keys(intake: Intake) -> None:
    _account(intake)
    intake.keys = "en"
    type_id = intake.type_id("新媒体发布")
    typed = intake.sets(type_id, ["单位=dongyuan", "日期=昨天", "名称=推文", "发布账号=acc-1",
                                  "发布时间=昨天 10:05", "编辑人=东苑社区宣传员"])
    values = intake.values(type_id, typed, intake.defaults(type_id))
    assert values["date"] == DAY - dt.timedelta(days=1)
    assert values["author"] == "dy-pub"
    draft = intake.draft(type_id, values)
    assert draft.errors == [], draft.problems
    data = yaml.safe_load(draft.text)
    assert data["author"] == "dy-pub" and data["published_at"] == "2023-05-31 10:05"
    assert draft.path.name == f"{type_id}-0531.yaml"


def test_a_linked_record_may_be_named_and_must_exist(intake: Intake) -> None:
    """发布账号 takes the account's name (staff never see its id) and gets its id; a name
    no account has is an error of that field, before anything is written."""
    _account(intake)
    type_id = intake.type_id("新媒体发布")
    common = ["单位=dongyuan", "日期=昨天", "名称=推文", "发布时间=昨天 10:05",
              "编辑人=东苑社区宣传员"]
    values = intake.values(type_id, intake.sets(type_id, [*common, "发布账号=东苑社区微信公众号"]),
                           intake.defaults(type_id))
    draft = intake.draft(type_id, values)
    assert draft.errors == [] and draft.values["account"] == "acc-1"
    assert "acc-1" in draft.text
    values["account"] = "不存在的账号"
    [problem] = intake.field_problems(type_id, values, "account")
    assert problem.code == "unknown-record" and "东苑社区微信公众号" in (problem.expected or "")


def test_never_overwrites_a_file_the_second_gets_a_suffix(intake: Intake) -> None:
    type_id, values = _values(intake, READING, "名称=读书会", "日期=5.12", "单位=东苑社区")
    first = intake.write(intake.draft(type_id, values))
    before = first.read_bytes()
    second = intake.write(intake.draft(type_id, {**values, "title": "第二场"}))
    assert second.name == f"{type_id}-0512-2.yaml"
    assert first.read_bytes() == before
    assert "第二场" in second.read_text(encoding="utf-8")


def test_a_bad_value_is_an_error_of_its_field_and_nothing_is_written(intake: Intake) -> None:
    type_id, values = _values(intake, READING, "名称=读书会", "日期=5.42", "单位=东苑社区")
    draft = intake.draft(type_id, values)
    assert [p.code for p in draft.errors] == ["bad-value"]
    assert [intake.field_of(type_id, p) for p in draft.errors] == ["date"]
    assert intake.field_problems(type_id, values, "date") == draft.errors
    assert intake.field_problems(type_id, values, "title") == []
    with pytest.raises(ValueError):
        intake.write(draft)
    assert _files(intake.root) == set()


def test_a_future_date_is_a_warning_not_an_error(intake: Intake) -> None:
    type_id, values = _values(intake, READING, "名称=读书会", "日期=2023-12-01",
                              "单位=dongyuan")
    draft = intake.draft(type_id, values)
    assert draft.errors == [] and [p.code for p in draft.warnings] == ["future-date"]


def test_unknown_type_or_key_lists_the_valid_ones(intake: Intake) -> None:
    with pytest.raises(UsageError) as bad_type:
        intake.type_id("阅读")
    assert READING in str(bad_type.value) and "新媒体发布" in str(bad_type.value)
    with pytest.raises(UsageError) as bad_key:
        intake.sets(intake.type_id(READING), ["名=读书会"])
    assert "名称" in str(bad_key.value) and "日期" in str(bad_key.value)
    with pytest.raises(UsageError):
        intake.sets(intake.type_id(READING), ["名称"])
    with pytest.raises(UsageError):
        intake.sets(intake.type_id(READING), ["类型=新媒体发布"])


def test_missing_required_fields_are_named_as_set_hints(intake: Intake) -> None:
    type_id, values = _values(intake, READING)
    assert values == {"date": DAY}  # outside git: no unit by default
    missing = intake.missing(type_id, values)
    assert missing == ["unit", "title"]
    assert intake.hint(type_id, missing) == "--set 单位=… --set 名称=…"


def test_the_unit_defaults_to_the_git_user_s_unit(intake: Intake) -> None:
    _git(intake.root, "XY-Pub@Example.org")  # matched case-insensitively
    assert intake.git_unit() == "xiyuan"
    _type_id, values = _values(intake, READING, "名称=读书会")
    assert values["unit"] == "xiyuan" and values["date"] == DAY
    subprocess.run(["git", "-C", str(intake.root), "config", "user.email", "x@y.z"],
                   check=True)
    assert intake.git_unit() is None


def test_unit_option_takes_a_name_and_refuses_an_unknown_one(intake: Intake) -> None:
    assert intake.unit_option("西苑社区") == "xiyuan"
    with pytest.raises(UsageError):
        intake.unit_option("月亮社区")


def test_types_are_grouped_by_the_plan_s_sections(intake: Intake) -> None:
    plan = intake.plan
    groups = type_groups(plan)
    listed = [t.id for _title, types in groups for t in types]
    assert sorted(listed) == sorted(plan.types)  # every type, each once
    first_title, first_types = groups[0]
    section = plan.sections[0]
    assert first_title.endswith(section.title)
    selected = {t for r in plan.rules if r.item in section.items for t in r.select.types}
    assert {t.id for t in first_types} == selected
    selected_anywhere = {t for r in plan.rules for t in r.select.types}
    other = dict(groups).get(OTHER, [])
    assert {t.id for t in other} == set(plan.types) - selected_anywhere


# ---------------------------------------------------------------- dc new, no terminal
def test_dc_new_writes_and_prints_the_file(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    done = dc(root, READING, "--set", "名称=读书会", "--set", "日期=5.12", "--unit", "东苑社区")
    assert done.returncode == 0, done.stderr
    path = root / "records" / "dongyuan" / "2023" / "05" / "reading_activity-0512.yaml"
    assert "records/dongyuan/2023/05/reading_activity-0512.yaml" in done.stdout
    assert path.read_text(encoding="utf-8") in done.stdout
    assert "名称: 读书会" in path.read_text(encoding="utf-8")
    again = dc(root, READING, "--set", "名称=读书会", "--set", "日期=5.12", "--unit",
               "dongyuan", "--keys", "en")
    assert again.returncode == 0, again.stderr
    second = path.with_name("reading_activity-0512-2.yaml")
    assert "title: 读书会" in second.read_text(encoding="utf-8")


def test_dc_new_refuses_an_invalid_value_and_writes_nothing(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    done = dc(root, READING, "--set", "名称=读书会", "--set", "日期=5.42", "--set",
              "参与人数=-3", "--unit", "dongyuan")
    assert done.returncode == 1
    assert "5.42" in done.stderr and "-3" in done.stderr
    assert _files(root) == set()


def test_dc_new_without_a_terminal_lists_missing_fields_and_does_not_wait(
        tmp_path: Path) -> None:
    root = _repo(tmp_path)
    done = dc(root, READING)
    assert done.returncode == 2
    assert "--set 单位=…" in done.stderr and "--set 名称=…" in done.stderr
    assert dc(root).returncode == 2  # no type either: still no prompt
    assert _files(root) == set()


def test_dc_new_unknown_type_or_key_is_a_usage_error(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    bad_type = dc(root, "没有这种类型", "--set", "名称=x")
    assert bad_type.returncode == 2 and READING in bad_type.stderr
    assert len(bad_type.stderr.strip().splitlines()) == 1
    bad_key = dc(root, READING, "--set", "名=x")
    assert bad_key.returncode == 2 and "名称" in bad_key.stderr
    assert "Traceback" not in bad_type.stderr + bad_key.stderr


def test_dc_new_takes_the_unit_from_the_git_user_and_commits_only_the_file(
        tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _git(root, "dy-pub@example.org")
    (root / "other.txt").write_text("not mine\n", encoding="utf-8")
    done = dc(root, READING, "--set", "名称=读书会", "--set", "日期=2023-05-12", "--commit")
    assert done.returncode == 0, done.stderr
    shown = "records/dongyuan/2023/05/reading_activity-0512.yaml"
    files = subprocess.run(["git", "-C", str(root), "show", "--name-only", "--format=%s"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    intake = Intake(load_plan(root / "plan", root), root, root / "records")
    message = intake.message("reading_activity", {"unit": "dongyuan", "title": "读书会",
                                                  "date": dt.date(2023, 5, 12)})
    assert files[0] == message
    assert all(word in message for word in (READING, "读书会", "东苑社区", "2023-05-12"))
    assert "（示例）" not in message
    assert [f for f in files[1:] if f] == [shown]
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout
    assert "other.txt" in status  # left alone


# ---------------------------------------------------------------- dc new at a terminal
# A pseudo-terminal is a POSIX thing: pexpect.spawn does not exist on Windows, where the
# same prompts run in the Windows console (prompt_toolkit supports both).
try:
    import pexpect
except ImportError:  # pragma: no cover - pexpect is in the test extra
    pexpect = None
pty = pytest.mark.skipif(pexpect is None or not hasattr(pexpect, "spawn"),
                         reason="needs a POSIX pseudo-terminal (pexpect.spawn)")
WAIT = 60  # generous: these are not timed tests


def _spawn(root: Path, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "dianchang_cli", "new", *args], cwd=str(root),
                          env=_env(), encoding="utf-8", timeout=WAIT, dimensions=(40, 100))
    return child


def _save_without_optional_fields(child: pexpect.spawn) -> int:
    """Say no to the optional fields, yes to saving; the exit status."""
    child.expect("optional|可选")
    child.send("n")
    child.expect("Save it|保存")
    child.send("y")
    return _end(child)


def _end(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else -1)


@pty
def test_a_person_answers_the_prompts_and_the_file_is_written(tmp_path: Path) -> None:
    root = _repo(tmp_path, records=True)
    _git(root, "dy-pub@example.org")
    before = _files(root)
    child = _spawn(root)
    child.expect("Which kind of record|哪")
    child.send("[reading_activity]")  # typing filters the list
    child.expect(r"\[reading_activity\]")
    child.send("\r")
    child.expect("单位")
    child.send("\r")  # the git user's unit is the default
    child.expect("日期")
    child.send("\x15" + "5.42\r")  # clear the default (today), type a bad date
    child.expect("5.42.*(bad value|值有误)")
    child.send("\x15" + "5.12\r")
    child.expect("名称")
    child.send("读书会\r")
    assert _save_without_optional_fields(child) == 0
    new = _files(root) - before
    assert [p.relative_to(root).as_posix() for p in new] == [
        "records/dongyuan/2023/05/reading_activity-0512.yaml"]
    data = yaml.safe_load(new.pop().read_text(encoding="utf-8"))
    assert data == {"类型": READING, "单位": "dongyuan", "日期": dt.date(2023, 5, 12),
                    "名称": "读书会"}


@pty
def test_arrow_keys_choose_a_unit_and_an_enum_value(tmp_path: Path) -> None:
    root = _repo(tmp_path, records=True)
    _git(root, "dy-pub@example.org")
    before = _files(root)
    plan = load_plan(root / "plan", root)
    units = list(plan.units)
    venues = plan.types["lecture"].fields["venue"].values or []
    child = _spawn(root, "宣讲", "--set", "名称=理论宣讲进社区", "--set", "日期=2023-05-20")
    child.expect("单位")
    child.send("\x1b[B")  # one down from the default (the git user's unit)
    child.send("\r")
    child.expect("宣讲阵地")
    child.send("\x1b[B\x1b[B\r")  # the third venue
    assert _save_without_optional_fields(child) == 0
    (path,) = _files(root) - before
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["单位"] == units[units.index("dongyuan") + 1]
    assert data["宣讲阵地"] == venues[2] and data["名称"] == "理论宣讲进社区"


@pty
def test_ctrl_c_writes_nothing(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    child = _spawn(root, READING, "--unit", "dongyuan")
    child.expect("日期")
    child.sendcontrol("c")
    child.expect("Cancelled|已取消")
    assert _end(child) == 1
    assert "Traceback" not in (child.before or "")
    assert _files(root) == set()


@pty
def test_saying_no_to_save_writes_nothing(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    child = _spawn(root, READING, "--unit", "dongyuan", "--set", "日期=5.12")
    child.expect("名称")
    child.send("读书会\r")
    child.expect("optional|可选")
    child.send("n")
    child.expect("Save it|保存")
    child.send("n")
    assert _end(child) == 1
    assert _files(root) == set()


@pty
def test_a_list_of_values_is_ticked_and_ctrl_d_cancels(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    plan = load_plan(root / "plan", root)
    type_id = next(t for t, rt in plan.types.items()  # a type with a required enum list
                   if any(s.required and s.type == "list" and s.items == "enum"
                          for s in rt.fields.values()))
    rtype = plan.types[type_id]
    name, spec = next((n, s) for n, s in rtype.fields.items()
                      if s.required and s.type == "list" and s.items == "enum")
    sets = [f"{s.name or n}=x" for n, s in rtype.fields.items()
            if s.required and s.type == "text"]
    args = [rtype.name, "--unit", "dianchang", "--set", "名称=学习", "--set", "日期=5.3",
            *(a for item in sets for a in ("--set", item))]
    child = _spawn(root, *args)
    child.expect(spec.name or name)
    child.send("\r")  # nothing ticked: asked again
    child.expect("required|必填")
    child.expect(spec.name or name)
    child.send(" \x1b[B\x1b[B \r")  # tick the first and the third
    assert _save_without_optional_fields(child) == 0
    (path,) = _files(root)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data[spec.name or name] == [(spec.values or [])[0], (spec.values or [])[2]]
    child = _spawn(root, *args)
    child.expect(spec.name or name)
    child.sendcontrol("d")
    child.expect("Cancelled|已取消")
    assert _end(child) == 1
    assert len(_files(root)) == 1


@pytest.mark.parametrize(("typed", "day"), [
    ("2023-05-12", dt.date(2023, 5, 12)), ("2023年5月12日", dt.date(2023, 5, 12)),
    ("5.12", dt.date(2023, 5, 12)), ("今天", DAY), ("昨天", DAY - dt.timedelta(days=1))])
def test_friendly_dates_name_the_file(intake: Intake, typed: str, day: dt.date) -> None:
    type_id, values = _values(intake, READING, "名称=读书会", f"日期={typed}", "单位=dongyuan")
    draft = intake.draft(type_id, values)
    assert values["date"] == day and draft.errors == []
    assert draft.path.name == f"{type_id}-{day:%m%d}.yaml"
    assert draft.path.parent == intake.records_dir / "dongyuan" / f"{day:%Y}" / f"{day:%m}"


# ---------------------------------------------------------------- what Enter means
class _Asked:
    """A stand-in for one questionary prompt: records how it was built, answers Enter."""

    def __init__(self, kind: str, seen: list, **kwargs: object) -> None:
        self.kind, self.kwargs = kind, kwargs
        seen.append(self)

    def enter(self) -> object:
        """What Enter gives: a select's default choice's value, a text prompt's text."""
        if self.kind == "select":  # no default: the cursor is on the first choice
            default = self.kwargs.get("default")
            return default if default is not None else self.kwargs["choices"][0].value
        return self.kwargs["default"]


def test_enter_leaves_an_optional_choice_empty_and_keeps_a_shown_default(
        intake: Intake, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enter on an optional enum leaves it empty (its first choice is 不填, where the
    cursor starts) — it used to write the first value (节日: 春节 on a June activity); a
    text field's default (today) is shown greyed, so typing replaces it instead of adding
    to it (“2023-06-01明天”), and Enter keeps it."""
    import questionary

    from dianchang_cli.intake import ask

    seen: list[_Asked] = []
    monkeypatch.setattr(questionary, "select", lambda *a, **k: _Asked("select", seen, **k))
    monkeypatch.setattr(questionary, "text", lambda *a, **k: _Asked("text", seen, **k))
    monkeypatch.setattr(ask, "_ask", lambda question: question.enter())
    type_id, values = _values(intake, "文体活动", "名称=中秋晚会", "日期=2023-06-01")
    after = ask.ask_field(intake, type_id, "festival", values)
    (select,) = seen
    assert select.kwargs["choices"][0].value == ask.SKIP and select.kwargs["default"] == ask.SKIP
    assert "festival" not in after
    seen.clear()
    kept = ask.ask_field(intake, type_id, "date", {**values, "date": DAY})
    (text,) = seen
    assert text.kwargs["default"] == "" and text.kwargs["placeholder"] == "2023-06-01"
    assert kept["date"] == DAY


@pty
def test_typing_chinese_filters_the_list_of_types(tmp_path: Path) -> None:
    """An input method sends 阅读 as characters the list's own filter ignored (it takes
    ASCII letters only): they filter it too, so Enter chooses 阅读活动, not the first type."""
    root = _repo(tmp_path, records=True)
    _git(root, "dy-pub@example.org")
    before = _files(root)
    child = _spawn(root, "--set", "名称=读书会", "--set", "日期=2023-05-12")
    child.expect("Which kind of record|哪")
    child.send("阅读活动")
    child.expect("阅读活动")
    child.send("\r")
    child.expect("单位")
    child.send("\r")
    assert _save_without_optional_fields(child) == 0
    (path,) = _files(root) - before
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["类型"] == READING
