"""dc import: real workbooks and CSV files in a temporary repository, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from dianchang_cli.api import Repo
from dianchang_cli.cli.app import build_app
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.records.validate import Validator

ROOT = Path(__file__).resolve().parent.parent
VOL = "新时代文明实践志愿服务活动"  # test data only: the plan's volunteer-service type
HEADER = ["序号", "日期", "*名称", "服务主题", "志愿者人数", "志愿服务总时长（小时）",
          "参与人数"]
MOBILE = "13912345678"


def workbook(path: Path, sheets: dict[str, list[list[Any]]],
             merge: dict[str, list[str]] | None = None, hidden: tuple[str, ...] = ()) -> Path:
    """An .xlsx with one sheet per entry (rows from A1), merged ranges and hidden sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cells in (merge or {}).get(title, []):
            ws.merge_cells(cells)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def dc_import(repo: Repo, *args: str) -> tuple[int, dict[str, Any]]:
    """``dc import … -f json`` in ``repo``: the exit status and the JSON summary."""
    result = CliRunner().invoke(build_app(), ["import", *args, "--repo", str(repo.root),
                                              "-f", "json"])
    assert "Traceback" not in result.output, result.output
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.exit_code, {"output": result.output}


def dc_text(repo: Repo, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["import", *args, "--repo", str(repo.root)])
    return result.exit_code, result.output


def record_files(repo: Repo) -> dict[str, str]:
    return {p.relative_to(repo.root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(repo.records_dir.rglob("*.yaml"))}


def loaded(repo: Repo, rel: str) -> dict[str, Any]:
    """A written record file as {field id: value as YAML wrote it}, whichever spelling of
    the keys it was written with (Chinese names by default)."""
    return by_field_id(repo, yaml.safe_load((repo.root / rel).read_text(encoding="utf-8")))


def by_field_id(repo: Repo, data: dict[str, Any]) -> dict[str, Any]:
    validator = Validator(load_plan(repo.plan_dir, repo.root))
    type_name = next(data[k] for k in validator.type_keys if k in data)
    schema = validator.schemas[validator.plan.type_names[type_name]]
    return {schema.keys[k]: v for k, v in data.items()}


def row(day: Any, title: str, theme: str = "卫生健康", vols: Any = 5, hours: Any = 2,
        people: Any = 30, n: int = 1) -> list[Any]:
    return [n, day, title, theme, vols, hours, people]


@pytest.fixture
def ledger(tmp_path: Path) -> Callable[..., Path]:
    """``ledger(rows, name=…)``: a one-sheet workbook named after the type, title line first."""

    def make(rows: list[list[Any]], name: str = "台账.xlsx", **kw: Any) -> Path:
        return workbook(tmp_path / name, {VOL: [["东苑社区5月台账"], HEADER, *rows]}, **kw)

    return make


def test_rows_become_record_files(repo: Repo, ledger: Callable[..., Path]) -> None:
    book = ledger([
        row(dt.date(2023, 5, 2), "义诊进社区", vols="１２", hours="2.5", n=1),
        row(45058, "清洁家园", people=" ３６ ", n=2),  # an Excel serial: 2023-05-12
        row(None, "同日第二场", n=3),  # the date cell is merged with the row above
        [None] * 7,  # a blank row
        row("2023年5月20日", "助老服务", vols=7.0, n=4),
        ["合计", None, None, None, 29, None, None],
        row(dt.date(2023, 5, 30), "合计以下不读", n=5),
    ], merge={VOL: ["B4:B5"]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0, out
    assert out["summary"] == {"added": 4, "updated": 0, "changed": 0, "unchanged": 0,
                              "problem_rows": 0}
    by_title = {loaded(repo, a["path"])["title"]: loaded(repo, a["path"]) for a in out["added"]}
    assert set(by_title) == {"义诊进社区", "清洁家园", "同日第二场", "助老服务"}
    first = by_title["义诊进社区"]
    assert (first["unit"], first["date"], first["volunteers"], first["service_hours"]) == (
        "dongyuan", dt.date(2023, 5, 2), 12, 2.5)
    assert by_title["清洁家园"]["date"] == dt.date(2023, 5, 12)
    assert by_title["清洁家园"]["participants"] == 36
    assert by_title["同日第二场"]["date"] == dt.date(2023, 5, 12)
    assert by_title["助老服务"]["date"] == dt.date(2023, 5, 20)
    assert by_title["助老服务"]["volunteers"] == 7
    assert first["id"].startswith("dongyuan-20230502-") and first["type"] == VOL
    path = next(a["path"] for a in out["added"] if "0502" in a["path"])
    assert path == "records/dongyuan/2023/05/volunteer_service-0502.yaml"
    assert (repo.root / path).read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../../../records.schema.json\n")


def test_reimport_writes_nothing(repo: Repo, ledger: Callable[..., Path]) -> None:
    book = ledger([row(dt.date(2023, 5, 2), "义诊进社区"), row(dt.date(2023, 5, 3), "读书")])
    assert dc_import(repo, str(book), "--unit", "dongyuan")[0] == 0
    before = record_files(repo)
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0 and out["summary"]["unchanged"] == 2 and out["added"] == []
    assert record_files(repo) == before


def test_changed_row_reported_then_updated_with_comments_kept(
        repo: Repo, ledger: Callable[..., Path]) -> None:
    ident = "dy-2023-001"
    header = [*HEADER, "编号"]
    book = workbook(repo.root / "a.xlsx", {VOL: [header, [*row(dt.date(2023, 5, 2), "义诊"),
                                                           ident]]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0
    path = repo.root / out["added"][0]["path"]
    text = path.read_text(encoding="utf-8").replace("名称:", "# 协调员备注：保留\n名称:")
    path.write_text(text, encoding="utf-8")
    workbook(book, {VOL: [header, [*row(dt.date(2023, 5, 2), "义诊", vols=9, people=None),
                                   ident]]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 1 and out["summary"]["changed"] == 1
    changes = {c["field"]: (c["old"], c["new"]) for c in out["changed"][0]["changes"]}
    assert changes["volunteers"] == ("5", "9") and "participants" in changes
    assert path.read_text(encoding="utf-8") == text  # reported, not written
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--update")
    assert code == 0 and out["summary"]["updated"] == 1
    after = path.read_text(encoding="utf-8")
    assert "# 协调员备注：保留" in after and "志愿者人数: 9" in after
    assert "参与人数" not in after  # an empty cell removes the field
    assert dc_import(repo, str(book), "--unit", "dongyuan")[1]["summary"]["unchanged"] == 1


def test_dry_run_writes_nothing(repo: Repo, ledger: Callable[..., Path]) -> None:
    book = ledger([row(dt.date(2023, 5, 2), "义诊"), row(dt.date(2023, 5, 2), "义诊二")])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--dry-run")
    assert code == 0 and out["dry_run"] is True
    assert [a["path"] for a in out["added"]] == [
        "records/dongyuan/2023/05/volunteer_service-0502.yaml",
        "records/dongyuan/2023/05/volunteer_service-0502-2.yaml"]
    assert record_files(repo) == {}


def test_bad_enum_is_located_at_its_cell(repo: Repo, ledger: Callable[..., Path]) -> None:
    book = ledger([row(dt.date(2023, 5, 2), "好的"), row(dt.date(2023, 5, 3), "坏的",
                                                         theme="不存在的主题")])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 1 and out["summary"]["added"] == 1 and out["summary"]["problem_rows"] == 1
    [problem] = out["problems"]
    assert (problem["sheet"], problem["cell"], problem["code"]) == (VOL, "D4", "bad-value")
    assert problem["where"] == f"台账.xlsx › {VOL} › D4" and "卫生健康" in problem["expected"]


def test_missing_required_field_is_at_the_row(repo: Repo, ledger: Callable[..., Path]) -> None:
    book = ledger([row(dt.date(2023, 5, 2), "缺时长", hours=None)])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 1 and record_files(repo) == {}
    [problem] = out["problems"]
    assert (problem["row"], problem["cell"], problem["code"]) == (3, None, "missing-field")


def test_pii_cell_is_a_problem_and_never_echoed(repo: Repo, tmp_path: Path) -> None:
    book = workbook(tmp_path / "p.xlsx", {VOL: [[*HEADER, "活动简介"], [
        *row(dt.date(2023, 5, 2), "走访"), f"联系电话{MOBILE}"]]})
    code, text = dc_text(repo, str(book), "--unit", "dongyuan")
    assert code == 1 and MOBILE not in text and "[pii]" in text and "H2" in text
    assert record_files(repo) == {}
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert MOBILE not in json.dumps(out, ensure_ascii=False)


def test_unit_option(repo: Repo, tmp_path: Path) -> None:
    header = ["日期", "单位", "名称", "服务主题", "志愿者人数", "志愿服务总时长（小时）"]
    day = dt.date(2023, 5, 2)
    book = workbook(tmp_path / "u.xlsx", {VOL: [header,
                                                [day, "东苑社区", "a", "其他", 1, 1],
                                                [day, "西苑社区（示例）", "b", "其他", 1, 1],
                                                [day, None, "c", "其他", 1, 1]]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 1 and out["summary"]["added"] == 2
    [problem] = out["problems"]
    assert (problem["cell"], problem["code"]) == ("B3", "other-unit")
    code, _out = dc_text(repo, str(book), "--unit", "nowhere")
    assert code == 2 and len(record_files(repo)) == 2


def test_gbk_csv_is_read_and_said(repo: Repo, tmp_path: Path) -> None:
    text = "日期,名称,服务主题,志愿者人数,志愿服务总时长（小时）,类型\n" \
           f"2023-05-02,义诊进社区,卫生健康,5,2,{VOL}\n"
    path = tmp_path / "东苑.csv"
    path.write_bytes(text.encode("gbk"))
    code, out = dc_import(repo, str(path), "--unit", "dongyuan")
    assert code == 0 and out["summary"]["added"] == 1
    assert any("GB18030" in note for note in out["notes"])
    assert loaded(repo, out["added"][0]["path"])["title"] == "义诊进社区"


def test_utf8_bom_csv_and_undecodable_csv(repo: Repo, tmp_path: Path) -> None:
    path = tmp_path / f"{VOL}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ",".join(HEADER).encode() + b"\n" +
                     ",".join(map(str, row("2023-05-02", "读书会"))).encode() + b"\n")
    code, out = dc_import(repo, str(path), "--unit", "dongyuan")
    assert code == 0 and out["summary"]["added"] == 1 and out["notes"] == []
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\xff" * 10)
    code, out = dc_import(repo, str(bad))
    assert code == 1 and out["problems"][0]["code"] == "bad-encoding"


def test_sheets_type_column_notes_and_unknown_columns(repo: Repo, tmp_path: Path) -> None:
    book = workbook(tmp_path / "m.xlsx", {
        "填写说明": [["请按下表填写"], ["日期写成 2023-05-02"]],
        "混合": [["类型", "日期", "名称", "服务主题", "志愿者人数", "志愿服务总时长（小时）",
                "备注栏"],
               [VOL, dt.date(2023, 5, 2), "义诊", "其他", 3, 1, "随便写"],
               ["阅读活动", dt.date(2023, 5, 3), "读书会", None, None, None, None]],
        "没有类型": [["日期", "名称"], [dt.date(2023, 5, 2), "x"]],
        "_lists": [["日期", "名称"], ["a", "b"]],
    }, hidden=("_lists",))
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert out["summary"]["added"] == 2
    by_code = {p["code"]: p for p in out["problems"]}
    assert by_code["unknown-column"]["severity"] == "warning"
    assert by_code["unknown-column"]["cell"] == "G1"
    assert by_code["unknown-type"]["sheet"] == "没有类型"
    assert "_lists" not in json.dumps(out["problems"], ensure_ascii=False)
    assert code == 1  # the sheet without a type


def test_same_id_twice_is_a_problem(repo: Repo, tmp_path: Path) -> None:
    header = [*HEADER, "编号"]
    book = workbook(tmp_path / "d.xlsx", {VOL: [header, [*row(dt.date(2023, 5, 2), "a"), "X1"],
                                                [*row(dt.date(2023, 5, 3), "b"), "X1"]]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 1 and out["summary"]["added"] == 1
    assert [(p["code"], p["cell"]) for p in out["problems"]] == [("duplicate-id", "H3")]


def test_the_same_activity_twice_says_how_to_keep_both(repo: Repo, tmp_path: Path) -> None:
    """Two rows of the same type, unit, date and name make the same id: the problem says
    to give one an 编号 of its own (it used to say only "each record once")."""
    book = workbook(tmp_path / "d.xlsx", {VOL: [HEADER, row(dt.date(2023, 5, 2), "a"),
                                                row(dt.date(2023, 5, 2), "a", n=2)]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 1 and out["summary"]["added"] == 1
    [problem] = out["problems"]
    assert problem["code"] == "duplicate-id" and "编号" in problem["expected"]


@pytest.mark.parametrize(("args", "title_key", "type_key"), [
    ((), "名称", "类型"),  # Chinese names by default: the keys the sheet's header used
    (("--keys", "zh"), "名称", "类型"),
    (("--keys", "en"), "title", "type"),
])
def test_key_spelling(repo: Repo, ledger: Callable[..., Path], args: tuple[str, ...],
                      title_key: str, type_key: str) -> None:
    code, out = dc_import(repo, str(ledger([row(dt.date(2023, 5, 2), "义诊")])),
                          "--unit", "dongyuan", *args)
    path = repo.root / out["added"][0]["path"]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert code == 0 and data[title_key] == "义诊" and data[type_key] == VOL


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_commit_makes_one_commit(repo: Repo, ledger: Callable[..., Path]) -> None:
    book = ledger([row(dt.date(2023, 5, 2), "义诊"), row(dt.date(2023, 5, 3), "清洁")],
                  name="东苑5月台账.xlsx")
    code, _text = dc_text(repo, str(book), "--unit", "dongyuan", "--commit")
    assert code == 2 and record_files(repo) == {}  # not a repository: nothing written
    _git(repo.root, "init", "-q")
    _git(repo.root, "config", "user.email", "coord@example.org")
    _git(repo.root, "config", "user.name", "协调员")
    _git(repo.root, "add", "plan")
    _git(repo.root, "commit", "-q", "-m", "plan")
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--commit")
    assert code == 0 and out["commit"]
    assert _git(repo.root, "rev-list", "--count", "HEAD").strip() == "2"
    message = _git(repo.root, "log", "-1", "--format=%B")
    assert "东苑5月台账.xlsx" in message and "2" in message.splitlines()[0]
    assert "coord@example.org" in message and VOL in message
    changed = _git(repo.root, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == sorted(a["path"] for a in out["added"])
    assert _git(repo.root, "status", "--porcelain", "records") == ""
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--commit")
    assert code == 0 and out["commit"] is None  # nothing written, nothing committed
    assert _git(repo.root, "rev-list", "--count", "HEAD").strip() == "2"


@pytest.mark.usefixtures("english")
def test_text_summary(repo: Repo, ledger: Callable[..., Path]) -> None:
    book = ledger([row(dt.date(2023, 5, 2), "义诊"), row(dt.date(2023, 5, 3), "坏", vols=-1)])
    code, text = dc_text(repo, str(book), "--unit", "dongyuan", "--dry-run")
    lines = text.splitlines()
    assert code == 1
    assert lines[0] == (f"would add records/dongyuan/2023/05/volunteer_service-0502.yaml  ← "
                        f"台账.xlsx › {VOL} › row 3")
    assert lines[1].startswith(f"台账.xlsx › {VOL} › E4: [bad-value]")
    assert lines[-1] == ("Dry run, nothing written: 1 added, 0 updated, 0 unchanged, "
                         "1 rows with problems")


@pytest.mark.parametrize("lang, types", [("zh", []), ("en", []),
                                         ("zh", ["--type", VOL, "--type", "阅读活动"])])
def test_ledger_round_trip_writes_nothing(tmp_path: Path, lang: str, types: list[str],
                                          request: pytest.FixtureRequest) -> None:
    if lang == "en":
        request.getfixturevalue("english")
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "plan", root / "plan")
    shutil.copytree(ROOT / "records", root / "records")
    repo = Repo.at(root)
    before = record_files(repo)
    result = CliRunner().invoke(build_app(), ["ledger", "--repo", str(root), "--month",
                                              "2023-05", "-f", "xlsx", "-o",
                                              str(tmp_path / "台账.xlsx"), *types])
    assert result.exit_code == 0, result.output
    header = [c.value for c in load_workbook(tmp_path / "台账.xlsx").worksheets[0][3]]
    assert ("Activity" in header) == (lang == "en")  # English headers, or the plan's names
    assert lang == "en" or {"编号", "名称", "志愿者人数"} <= set(header)
    assert ("类型" in header) == bool(types)  # several types: each row says its own
    code, out = dc_import(repo, str(tmp_path / "台账.xlsx"))
    assert code == 0, out
    assert out["problems"] == [] and out["added"] == [] and out["changed"] == []
    assert out["summary"]["unchanged"] > 10
    assert record_files(repo) == before


def test_two_thousand_rows(repo: Repo, tmp_path: Path) -> None:
    from bench.make_workbook import build

    book = tmp_path / "big.xlsx"
    build(book, 2000, "dongyuan", repo.plan_dir)
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0, out["problems"][:3]
    assert out["summary"]["added"] == 2000 and len(record_files(repo)) == 2000
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0 and out["summary"]["unchanged"] == 2000


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice makes the .xls")
def test_real_xls_and_ods(repo: Repo, ledger: Callable[..., Path], tmp_path: Path) -> None:
    book = ledger([row(dt.date(2023, 5, 2), "义诊"), row(45058, "清洁", vols="８")])
    out_dir = tmp_path / "converted"
    for fmt in ("xls", "ods"):
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--convert-to", fmt, "--outdir", str(out_dir), str(book)],
                       capture_output=True, check=True, timeout=180)
    for fmt in ("xls", "ods"):
        code, out = dc_import(repo, str(out_dir / f"台账.{fmt}"), "--unit", "dongyuan",
                              "--dry-run")
        assert code == 0, out
        assert out["summary"]["added"] == 2


def test_a_record_named_by_its_title_is_linked_by_its_id(repo: Repo, tmp_path: Path) -> None:
    """Staff know a record by its name, not its id: 发布账号 = 东苑社区微信公众号 links the
    account's record; a name no record has is a problem at its cell, not a file that
    dc check would refuse later."""
    (repo.records_dir / "dongyuan").mkdir(parents=True, exist_ok=True)
    (repo.records_dir / "dongyuan" / "account.yaml").write_text(
        "id: dy-gzh\ntype: media_account\nunit: dongyuan\ndate: 2023-04-03\n"
        "title: 东苑社区微信公众号\nplatform: 微信公众号\naccount_name: 东苑之家\n",
        encoding="utf-8")
    header = ["单位", "日期", "名称", "发布账号", "发布时间", "编辑人"]
    book = workbook(tmp_path / "发布.xlsx", {"新媒体发布": [
        header,
        ["dongyuan", "2023-05-06", "推文一", "东苑社区微信公众号", "2023-05-06 10:05", "dy-pub"],
        ["dongyuan", "2023-05-07", "推文二", "dy-gzh", "2023-05-07 10:05", "dy-pub"],
        ["dongyuan", "2023-05-08", "推文三", "不存在的账号", "2023-05-08 10:05", "dy-pub"]]})
    code, summary = dc_import(repo, str(book))
    assert code == 1, summary
    written = {rel: loaded(repo, rel) for rel in record_files(repo) if "account" not in rel}
    assert sorted(v["account"] for v in written.values()) == ["dy-gzh", "dy-gzh"]
    [issue] = [i for i in summary["problems"] if i["code"] == "unknown-record"]
    assert issue["where"].endswith("D4") and "不存在的账号" in issue["message"]
    assert "东苑社区微信公众号" in issue["expected"]


# ---------------------------------------------------------------- a corrected row
def _titles(repo: Repo) -> dict[str, str]:
    """Record file → its title, for every record file of the repository."""
    return {rel: loaded(repo, rel)["title"] for rel in record_files(repo)}


def test_a_new_file_names_the_row_it_came_from(repo: Repo, ledger: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DC_LANG", "en")
    code, out = dc_import(repo, str(ledger([row(dt.date(2023, 5, 2), "义诊进社区"),
                                            row(dt.date(2023, 5, 3), "读书会", n=2)])),
                          "--unit", "dongyuan")
    assert code == 0
    lines = [(repo.root / a["path"]).read_text(encoding="utf-8").splitlines()[1]
             for a in out["added"]]
    # the title line is row 1 and the header row 2; in Chinese whatever the language
    assert lines == [f"# 导入自 台账.xlsx › {VOL} › 第3行", f"# 导入自 台账.xlsx › {VOL} › 第4行"]


def test_a_corrected_name_changes_the_record_it_was_imported_as(
        repo: Repo, ledger: Callable[..., Path]) -> None:
    """The name of a row without 编号 is corrected in the sheet: its made id changes, but
    the row is the record imported from that row, not a second one."""
    book = ledger([row(dt.date(2023, 5, 2), "义诊进社"), row(dt.date(2023, 5, 3), "读书会", n=2)])
    first = dc_import(repo, str(book), "--unit", "dongyuan")[1]
    ids = {a["id"] for a in first["added"]}
    before = _titles(repo)
    ledger([row(dt.date(2023, 5, 2), "义诊进社区"), row(dt.date(2023, 5, 3), "读书会", n=2)])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 1  # a change, not written without --update
    assert out["summary"] == {"added": 0, "updated": 0, "changed": 1, "unchanged": 1,
                              "problem_rows": 0}
    [changed] = out["changed"]
    assert changed["id"] in ids and changed["row"] == 3
    assert {c["field"]: (c["old"], c["new"]) for c in changed["changes"]} == {
        "title": ("义诊进社", "义诊进社区")}
    assert [note for note in out["notes"] if changed["id"] in note]
    assert _titles(repo) == before
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--update")
    assert code == 0 and out["summary"]["updated"] == 1
    after = _titles(repo)
    assert sorted(after) == sorted(before)  # the same files: no second record
    assert sorted(after.values()) == ["义诊进社区", "读书会"]
    assert {loaded(repo, rel)["id"] for rel in after} == ids
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0 and out["summary"]["unchanged"] == 2  # and it stays found
    assert out["notes"] == []  # nothing left to say about it


def test_a_corrected_name_on_a_row_that_moved_up(repo: Repo,
                                                ledger: Callable[..., Path]) -> None:
    """A row above was deleted and the name of the next one corrected: no record was
    imported from its new row, but exactly one from that sheet is left on its day — that
    one is changed.  The deleted row's record stays (an import never deletes)."""
    book = ledger([row(dt.date(2023, 5, 1), "清洁家园"), row(dt.date(2023, 5, 2), "义诊", n=2),
                   row(dt.date(2023, 5, 9), "读书会", n=3)])
    dc_import(repo, str(book), "--unit", "dongyuan")
    ledger([row(dt.date(2023, 5, 2), "义诊进社区"), row(dt.date(2023, 5, 9), "读书会", n=2)])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--update")
    assert code == 0
    assert out["summary"] == {"added": 0, "updated": 1, "changed": 0, "unchanged": 1,
                              "problem_rows": 0}
    assert {c["field"]: (c["old"], c["new"]) for c in out["changed"][0]["changes"]} == {
        "title": ("义诊", "义诊进社区")}
    assert sorted(_titles(repo).values()) == ["义诊进社区", "清洁家园", "读书会"]


def test_a_new_day_on_another_row_is_a_new_record(repo: Repo,
                                                 ledger: Callable[..., Path]) -> None:
    """The same name on another row and another day is how a recurring activity looks,
    not a correction: a new record, the old one kept."""
    book = ledger([row(dt.date(2023, 5, 1), "主题党日"), row(dt.date(2023, 5, 9), "读书会", n=2)])
    dc_import(repo, str(book), "--unit", "dongyuan")
    ledger([row(dt.date(2023, 5, 9), "读书会"), row(dt.date(2023, 6, 1), "主题党日", n=2)])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0 and out["summary"]["added"] == 1 and out["summary"]["changed"] == 0
    assert sorted(_titles(repo).values()) == ["主题党日", "主题党日", "读书会"]


def test_a_workbook_filled_anew_next_month_corrects_nothing(
        repo: Repo, ledger: Callable[..., Path]) -> None:
    """The same workbook, emptied and filled with June's rows — the same activities recur
    on the same rows: none of May's records is made by it any more, so it is not the sheet
    they came from, and every row is a new record."""
    book = ledger([row(dt.date(2023, 5, 5), "主题党日"), row(dt.date(2023, 5, 20), "读书会", n=2)])
    dc_import(repo, str(book), "--unit", "dongyuan")
    ledger([row(dt.date(2023, 6, 5), "主题党日"), row(dt.date(2023, 6, 20), "读书会", n=2)])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0 and out["summary"]["added"] == 2 and out["summary"]["changed"] == 0
    assert len(_titles(repo)) == 4


def test_a_row_inserted_above_is_a_new_record(repo: Repo, ledger: Callable[..., Path]) -> None:
    """A new row takes the place of an imported one, on the same day: that record is still
    made by its row, now one further down, so the new row is a new record."""
    book = ledger([row(dt.date(2023, 5, 2), "义诊"), row(dt.date(2023, 5, 3), "读书会", n=2)])
    dc_import(repo, str(book), "--unit", "dongyuan")
    ledger([row(dt.date(2023, 5, 2), "助老服务"), row(dt.date(2023, 5, 2), "义诊", n=2),
            row(dt.date(2023, 5, 3), "读书会", n=3)])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0
    assert out["summary"]["added"] == 1 and out["summary"]["unchanged"] == 2
    assert not out["notes"]
    assert sorted(_titles(repo).values()) == ["义诊", "助老服务", "读书会"]


def test_two_new_rows_never_claim_one_record(repo: Repo, tmp_path: Path) -> None:
    """Off its own row, a record is the corrected one only for the one new row of the sheet
    on its day: with two such rows, neither is taken for it."""
    kept = row(dt.date(2023, 5, 9), "读书会", n=9)
    book = workbook(tmp_path / "台账.xlsx", {VOL: [HEADER, row(dt.date(2023, 5, 2), "义诊"),
                                                  kept]})
    dc_import(repo, str(book), "--unit", "dongyuan")
    both = [row(dt.date(2023, 5, 2), "义诊（上午）"), row(dt.date(2023, 5, 2), "义诊（下午）", n=2)]
    workbook(book, {VOL: [HEADER, [None] * 7, kept, *both]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--dry-run")
    assert code == 0 and out["summary"]["changed"] == 0 and out["summary"]["added"] == 2
    workbook(book, {VOL: [HEADER, *both, kept]})  # on its own row, the first one is
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--dry-run")
    assert code == 1 and out["summary"]["changed"] == 1 and out["summary"]["added"] == 1
    assert out["changed"][0]["row"] == 2


def test_no_source_line_for_a_workbook_named_with_a_phone_number(
        repo: Repo, tmp_path: Path) -> None:
    book = workbook(tmp_path / f"王{MOBILE}交.xlsx", {VOL: [HEADER, row(dt.date(2023, 5, 2),
                                                                      "义诊")]})
    code, out = dc_import(repo, str(book), "--unit", "dongyuan")
    assert code == 0
    text = (repo.root / out["added"][0]["path"]).read_text(encoding="utf-8")
    assert MOBILE not in text and "导入自" not in text


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_a_corrected_date_moves_the_file_to_its_new_day(
        repo: Repo, ledger: Callable[..., Path]) -> None:
    """A date corrected into another month: the update moves the file into that month's
    folder under the new day's name (dry run: where it would go), and --commit commits the
    old name as removed; a file someone named otherwise stays where it is."""
    _git(repo.root, "init", "-q")
    _git(repo.root, "config", "user.email", "coord@example.org")
    _git(repo.root, "config", "user.name", "协调员")
    same = row(dt.date(2023, 5, 15), "清洁家园", n=3)  # unchanged: the sheet is known
    book = ledger([row(dt.date(2023, 5, 31), "义诊"), row(dt.date(2023, 5, 9), "读书会", n=2),
                   same])
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--commit")
    assert code == 0
    old = "records/dongyuan/2023/05/volunteer_service-0531.yaml"
    ident = loaded(repo, old)["id"]
    (repo.root / "records/dongyuan/2023/05/volunteer_service-0509.yaml").rename(
        repo.root / "records/dongyuan/读书会.yaml")  # a name of someone's own
    _git(repo.root, "add", "-A", "records")
    _git(repo.root, "commit", "-q", "-m", "renamed by hand")
    ledger([row(dt.date(2023, 6, 1), "义诊"), row(dt.date(2023, 5, 10), "读书会", n=2), same])
    new = "records/dongyuan/2023/06/volunteer_service-0601.yaml"
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--update", "--dry-run")
    assert code == 0 and (repo.root / old).exists()
    moved = {a["moved_from"]: a["path"] for a in out["changed"]}
    assert moved == {old: new, None: "records/dongyuan/读书会.yaml"}
    code, out = dc_import(repo, str(book), "--unit", "dongyuan", "--update", "--commit")
    assert code == 0 and out["summary"]["updated"] == 2
    assert not (repo.root / old).exists()
    assert loaded(repo, new)["id"] == ident and loaded(repo, new)["date"] == dt.date(2023, 6, 1)
    assert (repo.root / new).read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../../../records.schema.json\n# 导入自 台账.xlsx")
    assert loaded(repo, "records/dongyuan/读书会.yaml")["date"] == dt.date(2023, 5, 10)
    assert _git(repo.root, "status", "--porcelain", "records") == ""
    shown = _git(repo.root, "-c", "core.quotepath=false", "show", "--no-renames",
                 "--name-status", "--format=", "HEAD").splitlines()
    assert sorted(shown) == sorted([f"D\t{old}", f"A\t{new}", "M\trecords/dongyuan/读书会.yaml"])
