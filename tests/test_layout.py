"""The package layout follows the pipeline: imports point down it, never back, never round.

The import graph is read from the source with :mod:`ast` (every ``import`` and ``from …
import``, also those inside functions and under ``TYPE_CHECKING``: a lazy import is still
a dependency).  Each package or top-level module has a rank, its stage in the pipeline;
a module may import from its own rank or below, never above.  Back-references that exist
today are listed in :data:`KNOWN_DEBTS` so that any NEW one fails; pay a debt and delete
its line.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = "dianchang_cli"
SRC = Path(__file__).resolve().parent.parent / "src" / PACKAGE

# The pipeline, lowest first.  A package or top-level module named nowhere here fails
# test_every_part_has_a_rank: give a new one its place.
RANKS: dict[str, int] = {
    # ground floor: shared value types, messages, translation
    "__init__": 0, "core": 0, "diagnostics": 0, "i18n": 0,
    "forked": 0,  # work in a forked child (shared memory, no pickled input)
    "load": 1,  # bytes → nodes (safe YAML, bounded file reads)
    "planfile": 2,  # the plan: its model and its loader
    "records": 3,  # record values, model and validation against the plan
    "engine": 4,  # index, periods, conditions, rule kinds, evaluation, scores
    "gitrepo": 5,  # git as evidence: history, commit facts, changes, audit, CODEOWNERS
    "outcome": 6, "pipeline": 6,  # the one pipeline function and the value it returns
    # presentation and features over an outcome or a plan
    "render": 7, "report": 7, "ledger": 7, "scaffold": 7, "export": 7,
    "intake": 7,  # getting records in: friendly values, writing files, schema, import
    # the library facade and the command line
    "api": 8, "cli": 8, "__main__": 8,
}

# Top-level modules allowed loose in src/dianchang_cli/; anything else belongs in a package.
LOOSE = {"__init__", "__main__", "api", "core", "diagnostics", "i18n", "outcome"}

# Back-references that exist today (importer → imported, module names without the package).
KNOWN_DEBTS: set[tuple[str, str]] = set()

# Import cycles between modules that exist today (each as the set of its modules): none.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The module of ours that ``name`` (absolute, package prefix removed) lives in."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, here: str, is_package: bool) -> list[str]:
    """Dotted names (without the package) that one import statement reads."""
    if isinstance(node, ast.Import):
        return [a.name.removeprefix(PACKAGE + ".") for a in node.names
                if a.name == PACKAGE or a.name.startswith(PACKAGE + ".")]
    if node.level:
        base = [] if here == "__init__" else here.split(".")
        if not is_package:
            base = base[:-1]
        base = base[:len(base) - (node.level - 1)]
        stem = ".".join([*base, *([node.module] if node.module else [])])
    elif node.module and (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
        stem = node.module.removeprefix(PACKAGE).lstrip(".")
    else:
        return []
    stem = stem or "__init__"
    out = []
    for alias in node.names:
        sub = f"{stem}.{alias.name}" if stem != "__init__" else alias.name
        out.append(sub if sub in _modules() else stem)
    return out


@cache
def graph() -> dict[str, frozenset[str]]:
    """module → the modules of ours it imports (anywhere in its source)."""
    out: dict[str, frozenset[str]] = {}
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, name, path.name == "__init__.py"):
                    module = _resolve(target)
                    if module and module != name:
                        found.add(module)
        out[name] = frozenset(found)
    return out


def _rank(module: str) -> int:
    return RANKS[module.split(".")[0]]


def _cycles(edges: dict[str, frozenset[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    """The reader sees what it must: lazy, relative and TYPE_CHECKING imports."""
    g = graph()
    assert "outcome" in g["pipeline"] and "pipeline" in g["pipeline.plan_tests"]
    assert "gitrepo.git" in g["gitrepo.history"]
    assert "gitrepo.audit" in g["cli.audit"]  # imported inside the command function
    assert "engine.results" in g["gitrepo.changes"]  # under TYPE_CHECKING


def test_every_part_has_a_rank() -> None:
    unranked = sorted({m.split(".")[0] for m in graph()} - RANKS.keys())
    assert not unranked, f"give these a place in RANKS (tests/test_layout.py): {unranked}"


def test_no_new_loose_modules() -> None:
    loose = {p.stem for p in SRC.glob("*.py")} - LOOSE
    assert not loose, (f"new top-level modules {sorted(loose)}: put them in the package of "
                       "their pipeline stage")


def test_imports_point_down_the_pipeline() -> None:
    back = {(m, t) for m, targets in graph().items() for t in targets
            if _rank(t) > _rank(m)}
    new = sorted(back - KNOWN_DEBTS)
    assert not new, f"imports from a later pipeline stage: {new}"


def test_known_debts_are_still_owed() -> None:
    """A debt paid leaves the list, so it cannot come back unnoticed."""
    back = {(m, t) for m, targets in graph().items() for t in targets
            if _rank(t) > _rank(m)}
    assert not sorted(KNOWN_DEBTS - back), "paid: delete these from KNOWN_DEBTS"
    assert all(c in _cycles(dict(graph())) for c in KNOWN_CYCLES), "delete from KNOWN_CYCLES"


def test_no_import_cycles() -> None:
    cycles = _cycles(dict(graph()))
    new = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert not new, f"import cycles: {new}"


def test_moved_modules_are_in_no_cycle() -> None:
    moved = ("api", "core", "outcome", "pipeline", "gitrepo")
    for cycle in _cycles(dict(graph())):
        assert not [m for m in cycle if m.split(".")[0] in moved], sorted(cycle)


def test_one_status_vocabulary_and_time_zone() -> None:
    """The ground floor's names are the ones the stages use (re-exported, not copied)."""
    from dianchang_cli import core
    from dianchang_cli.engine import results
    from dianchang_cli.records import values

    assert values.TZ is core.TZ
    assert results.STATUSES is core.STATUSES  # engine.results re-exports core's
    assert results.Status is core.Status
    assert set(core.WORST_FIRST) == set(core.STATUSES)
    assert core.FAILING | core.SKIPPED | {"met"} == set(core.STATUSES)
