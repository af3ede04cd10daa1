"""``dc export`` → ``dc aggregate`` across three generated subdistricts under two plans.

Subdistricts one and two follow the project's plan; the third follows a second plan made by
copying it with another plan id, other subdistrict and community ids, renamed rule ids and
some rules removed.  The district database must hold every export, compare by item (never
by rule id), and the district view must render in Markdown and HTML.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from dianchang_cli.export.aggregate import aggregate
from dianchang_cli.export.district import district_view, render_district
from test_export import dc_app

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2023-12-31"


def generate(out: Path, records: int = 240, communities: int = 3) -> Path:
    """A synthetic repository from bench/generate.py (the project's plan)."""
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(out), "--records",
                    str(records), "--communities", str(communities)], check=True,
                   capture_output=True)
    return out


def rename_units(repo: Path, subdistrict: str, name: str, community_prefix: str | None) -> None:
    """Give the subdistrict another id and name; ``community_prefix`` renames communities
    (c000 → <prefix>000) in units.yaml, the record files and their folders."""
    units_file = repo / "plan" / "units.yaml"
    units = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    old = units["subdistrict"]
    text = units_file.read_text(encoding="utf-8").replace(f": {old}\n", f": {subdistrict}\n")
    text = text.replace("示例街道", name)
    if community_prefix:
        text = text.replace(": c0", f": {community_prefix}0")
        for path in sorted((repo / "records").rglob("*.yaml")):
            body = path.read_text(encoding="utf-8").replace(": c0", f": {community_prefix}0")
            path.write_text(body, encoding="utf-8")
        for folder in sorted((repo / "records").iterdir()):
            folder.rename(folder.with_name(community_prefix + folder.name[1:]))
    units_file.write_text(text, encoding="utf-8")


def second_plan(repo: Path) -> None:
    """Another plan id; every rule id prefixed with ``b-``, every third rule removed."""
    plan_file = repo / "plan" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(text.replace("id: dianchang-2023", "id: other-2023", 1),
                         encoding="utf-8")
    (repo / "plan" / "coverage.yaml").unlink()  # it names the rule ids of the first plan
    n = 0
    for path in sorted((repo / "plan" / "rules").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        kept = []
        for rule in doc["rules"]:
            n += 1
            if n % 3:
                kept.append({**rule, "id": f"b-{rule['id']}"})
        doc["rules"] = kept
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("district")
    one = generate(base / "one")
    rename_units(one, "east", "东区街道", None)
    two = generate(base / "two", records=180, communities=2)
    rename_units(two, "west", "西区街道", "w")
    three = generate(base / "three", records=200, communities=4)
    rename_units(three, "north", "北区街道", "n")
    second_plan(three)
    return [one, two, three]


@pytest.fixture(scope="module")
def exports(repos: list[Path], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = []
    for repo in repos:
        folder = tmp_path_factory.mktemp("export")
        run = CliRunner().invoke(dc_app(), ["export", "--repo", str(repo), "-o", str(folder),
                                            "--as-of", AS_OF])
        assert run.exit_code == 0, run.output
        out.append(folder)
    return out


def test_three_subdistricts_two_plans(exports: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "district.duckdb"
    loaded = aggregate(exports, db)
    assert loaded.problems == []
    assert sorted(loaded.exports) == [("dianchang-2023", "east"), ("dianchang-2023", "west"),
                                      ("other-2023", "north")]
    con = duckdb.connect(str(db), read_only=True)
    per = dict(con.execute("SELECT subdistrict, count(*) FROM records GROUP BY 1").fetchall())
    totals = dict(con.execute("SELECT subdistrict, records_total FROM meta").fetchall())
    assert per == totals  # every valid record of every export
    generated = {"east": 240, "west": 180, "north": 200}
    assert all(generated[s] * 0.9 <= n <= generated[s] for s, n in per.items())
    rules = con.execute("SELECT DISTINCT plan_id, rule FROM results").fetchall()
    assert all(rule.startswith("b-") == (plan == "other-2023") for plan, rule in rules)
    con.close()
    view = district_view(db)
    assert [s["id"] for s in view["subdistricts"]] == ["east", "north", "west"]  # by name
    assert view["months"] and all(len(row["cells"]) == len(view["months"])
                                  for row in view["heatmap"])
    # items are compared across plans: an item both plans check has cells in all three
    shared = [i for i in view["item_rates"] if all(c["judged"] for c in i["cells"])]
    assert shared
    assert view["lowest"] and view["lowest"] == sorted(view["lowest"],
                                                       key=lambda c: c["score"])


def test_same_export_twice_is_loaded_once(exports: list[Path], tmp_path: Path) -> None:
    loaded = aggregate([exports[0], exports[0], tmp_path], tmp_path / "d.duckdb")
    assert loaded.exports == [("dianchang-2023", "east")]
    assert len(loaded.problems) == 2


def test_dc_aggregate_renders_the_district_view(exports: list[Path], repos: list[Path],
                                                tmp_path: Path) -> None:
    db = tmp_path / "district.duckdb"
    md = tmp_path / "district.md"
    # two export folders and one repository (exported on the fly)
    run = CliRunner().invoke(dc_app(), ["aggregate", str(exports[0]), str(exports[1]),
                                        str(repos[2]), "-o", str(db), "--report", str(md),
                                        "--as-of", AS_OF])
    assert run.exit_code == 0, run.output
    text = md.read_text(encoding="utf-8")
    for name in ("东区街道", "西区街道", "北区街道", "2023-05"):
        assert name in text
    html = tmp_path / "district.html"
    run = CliRunner().invoke(dc_app(), ["aggregate", str(exports[0]), "-o", str(db),
                                        "--report", str(html)])
    assert run.exit_code == 0, run.output
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "东区街道" in page and "<script" not in page


def test_the_district_view_is_written_beside_the_database_by_default(
        exports: list[Path], tmp_path: Path) -> None:
    """cli.md: ``dc aggregate PATH… [-o FILE]`` gives one DuckDB file *and* a district
    report: without --report, the view is the database's name ending in .md."""
    db = tmp_path / "out" / "agg.duckdb"
    run = CliRunner().invoke(dc_app(), ["aggregate", str(exports[0]), "-o", str(db)])
    assert run.exit_code == 0, run.output
    report = tmp_path / "out" / "agg.md"
    assert str(report) in run.output and str(db) in run.output
    assert "东区街道" in report.read_text(encoding="utf-8")
    odd = tmp_path / "odd.md"  # a database named .md keeps its name; the view goes beside
    run = CliRunner().invoke(dc_app(), ["aggregate", str(exports[0]), "-o", str(odd)])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "odd.md.md").read_text(encoding="utf-8").startswith("#")
    import duckdb
    with duckdb.connect(str(odd), read_only=True) as con:
        assert con.execute("select count(*) from results").fetchone()[0] > 0


def test_untrusted_text_is_escaped(exports: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    aggregate(exports[:1], db)
    view = district_view(db)
    view["subdistricts"][0]["name"] = "<script>x</script> | *y*"
    view["heatmap"][0]["name"] = "<script>x</script> | *y*"
    page = render_district(view, "html").decode()
    assert "<script>x" not in page and "&lt;script&gt;" in page
    md = render_district(view, "md").decode()
    assert "\\| \\*y\\*" in md


def test_bad_report_suffix_and_missing_folder(exports: list[Path], tmp_path: Path) -> None:
    run = CliRunner().invoke(dc_app(), ["aggregate", str(exports[0]), "-o",
                                        str(tmp_path / "d.duckdb"), "--report",
                                        str(tmp_path / "x.docx")])
    assert run.exit_code == 2
    run = CliRunner().invoke(dc_app(), ["aggregate", str(tmp_path / "nowhere"), "-o",
                                        str(tmp_path / "d.duckdb")])
    assert run.exit_code == 2
    run = CliRunner().invoke(dc_app(), ["aggregate", str(tmp_path), "-o",
                                        str(tmp_path / "d.duckdb")])
    assert run.exit_code == 1


def test_district_view_as_pdf(exports: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    aggregate(exports, db)
    pdf = render_district(district_view(db), "pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert render_district(district_view(db), "pdf") == pdf  # dated by the as-of day


def test_a_broken_repository_is_skipped(exports: list[Path], repos: list[Path],
                                        tmp_path: Path, english: None) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(repos[1], broken)
    (broken / "plan" / "plan.yaml").write_text("plan: [unclosed\n", encoding="utf-8")
    db = tmp_path / "d.duckdb"
    run = CliRunner().invoke(dc_app(), ["aggregate", str(exports[0]), str(broken), "-o",
                                        str(db)])
    assert run.exit_code == 0, run.output
    assert "skipped, it could not be exported" in run.output
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT subdistrict FROM meta").fetchall() == [("east",)]
    con.close()


def test_a_folder_that_fails_half_way_leaves_no_rows(exports: list[Path],
                                                     tmp_path: Path) -> None:
    import shutil

    half = tmp_path / "half"
    shutil.copytree(exports[1], half)
    for path in half.rglob("records.parquet"):  # results and meta load, records do not
        path.write_bytes(b"not parquet")
    db = tmp_path / "d.duckdb"
    loaded = aggregate([exports[0], half], db)
    assert loaded.exports == [("dianchang-2023", "east")] and len(loaded.problems) == 1
    con = duckdb.connect(str(db), read_only=True)
    for table in ("results", "records", "meta"):
        subs = con.execute(f"SELECT DISTINCT subdistrict FROM {table}").fetchall()
        assert subs == [("east",)], table
    con.close()
