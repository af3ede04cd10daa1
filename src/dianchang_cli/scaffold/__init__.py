"""``dc init``: the files of a new records repository.

Where the plan comes from (the first that applies):

1. ``--plan DIR``;
2. ``--from-repo DIR``: that repository's ``plan/``;
3. ``plan/`` of the current directory, when it holds a ``units.yaml`` (running ``dc init``
   inside the project or an existing records repository copies its plan);
4. the minimal plan packaged here (``minimal-plan/``: one record type, one rule), because the
   project's full ``plan/`` is not part of the Python package.

Every file of the source plan is copied except ``units.yaml`` — always the commented
template (one subdistrict, one community, one staff entry) — and ``tests/`` (plan test
cases about the source's own units).  The other files come from ``template/``, where a
leading ``dot-`` stands for ``.`` (packaging tools drop dotfiles), and ``@DC_SOURCE@`` is
replaced by where pip installs dc from.  The new plan is loaded from a temporary copy
before anything is written: a plan that does not load stops ``dc init`` with its problems.

Editors: ``records.schema.json`` at the root is generated from the new plan
(:meth:`Scaffold.add_schema`, the same text as ``dc schema``), and ``.vscode/`` (from the
template) maps it onto ``records/**/*.yaml`` and recommends the YAML extension, so opening the
folder in VS Code completes and checks records at once.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.plancheck import load_plan
from ..planfile.loader import UNITS_FILE
from ..planfile.plan import Plan

HERE = Path(__file__).parent
TEMPLATE = HERE / "template"
MINIMAL_PLAN = HERE / "minimal-plan"
PLACEHOLDER = b"@DC_SOURCE@"
DEFAULT_SOURCE = "git+https://example.com/CHANGE-ME/dianchang-cli.git"
SKIP = {"tests", "__pycache__"}
EXAMPLES = "examples"
COPY_LIMIT = 64 * 1024 * 1024  # a plan file copied by dc init (templates and fonts included)


def _target_name(rel: Path) -> str:
    return "/".join("." + p[4:] if p.startswith("dot-") else p for p in rel.parts)


def _files(base: Path, skip_top: tuple[str, ...] = ()) -> dict[str, Path]:
    """Every file below ``base`` (relative POSIX name → path), hidden and skipped folders
    left out."""
    out: dict[str, Path] = {}
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if (not path.is_file() or SKIP.intersection(rel.parts)
                or any(p.startswith(".") for p in rel.parts) or rel.as_posix() in skip_top):
            continue
        out[rel.as_posix()] = path
    return out


def plan_source(plan: Path | None, from_repo: Path | None, cwd: Path) -> Path | None:
    """The plan folder to copy, or ``None`` for the packaged minimal plan."""
    if plan is not None:
        return plan
    if from_repo is not None:
        return from_repo / "plan"
    here = cwd / "plan"
    return here if (here / UNITS_FILE).is_file() else None


@dataclass
class Scaffold:
    """What ``dc init`` will write: relative POSIX path → content."""

    dest: Path
    plan_from: Path | None
    files: dict[str, bytes] = field(default_factory=dict)

    def existing(self) -> list[str]:
        """Files that are already there (``--force`` overwrites them)."""
        return [name for name in self.files if (self.dest / name).exists()]

    def write(self) -> list[str]:
        for name, data in self.files.items():
            path = self.dest / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return list(self.files)

    def examples(self) -> list[Path]:
        return [self.dest / n for n in self.files if n.startswith(EXAMPLES + "/")
                and n.endswith((".yaml", ".yml"))]

    def verify(self) -> Plan:
        """Load the new plan from a temporary copy; raises ``PlanError`` if it is broken."""
        with tempfile.TemporaryDirectory(prefix="dc-init-") as tmp:
            root = Path(tmp)
            for name, data in self.files.items():
                if name.startswith("plan/"):
                    path = root / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
            return load_plan(root / "plan", root)

    def add_schema(self, plan: Plan) -> None:
        """Add ``records.schema.json``: the record schema of the new repository's plan."""
        from ..intake.schema import schema_text
        from ..intake.writer import SCHEMA_FILE

        self.files[SCHEMA_FILE] = schema_text(plan).encode("utf-8")


class SourceError(Exception):
    """A file of the plan to copy that is not read (a link leaving the plan folder, a pipe,
    a huge file); the message names it and says why."""


def _read(path: Path, base: Path) -> bytes:
    """A plan file to copy: a regular file inside ``base``, at most ``COPY_LIMIT`` bytes."""
    from ..diagnostics import printable
    from ..load.files import Unreadable, read_limited

    try:
        return read_limited(path, base, COPY_LIMIT)
    except Unreadable as exc:
        raise SourceError(f"{printable(str(path))}: {exc.message}") from exc


def build(dest: Path, plan_from: Path | None, dc_source: str | None = None) -> Scaffold:
    """Collect the files of a new records repository at ``dest`` (nothing is written).

    Raises :class:`SourceError` for a plan file that is not copied.
    """
    source = (dc_source or DEFAULT_SOURCE).encode()
    scaffold = Scaffold(dest, plan_from)
    plan_dir = plan_from if plan_from is not None else MINIMAL_PLAN
    for name, path in _files(plan_dir, skip_top=(UNITS_FILE,)).items():
        scaffold.files[f"plan/{name}"] = _read(path, plan_dir)
    for name, path in _files(TEMPLATE).items():
        scaffold.files[_target_name(Path(name))] = path.read_bytes().replace(PLACEHOLDER, source)
    return scaffold

