"""The engine is generic: no Python file names a 2023 record type, rule, community or staff."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from dianchang_cli.engine.plancheck import load_plan

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))


@cache
def plan_words() -> frozenset[str]:
    """The ids and names of the plan's record types, units and staff, and its dotted rule
    ids such as ``17.1`` (the plan read once)."""
    plan = load_plan(ROOT / "plan")
    words = {t.id for t in plan.types.values()} | {t.name for t in plan.types.values()}
    words |= {u.id for u in plan.units.values()} | {u.name for u in plan.units.values()}
    words |= {s.id for s in plan.staff.values()}
    words.discard(plan.subdistrict)  # the top unit's id also names the package (dianchang_cli)
    words |= {r.id for r in plan.rules if "." in r.id}
    return frozenset(words)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_plan_names_in_python(path: Path) -> None:
    quoted = string_constants(path)
    found = sorted(quoted & plan_words())
    assert not found, f"{path.name} names plan entries: {found}"


def string_constants(path: Path) -> set[str]:
    """Every string literal in the code, docstrings excepted (examples there are fine)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings}


def test_the_scan_would_notice(tmp_path: Path) -> None:
    """The check above can fail: a file naming a type outside a docstring is caught."""
    sample = tmp_path / "x.py"
    sample.write_text('"""reading_activity in a docstring is fine."""\nT = "reading_activity"\n')
    assert string_constants(sample) & plan_words() == {"reading_activity"}
