"""A record's values → one canonical YAML file, written where it belongs, never over another.

Every file ``dc new`` and ``dc import`` write looks the same: the schema modeline first (so
an editor with the YAML extension completes and checks it), then the fields in the type's
order — the common fields up to ``title``, the type's own fields, the other common fields —
under their English ids or, with ``keys="zh"``, their Chinese names.  The type is written by
its Chinese name, units and staff by id.  ruamel.yaml writes the text, so quoting is always
right: a title ``2023`` or ``no`` stays text, and ``10:05`` is never a number.

The file goes to ``records/<unit>/<yyyy>/<mm>/<type>-<mmdd>.yaml``, or ``-2``, ``-3`` … when
that name is taken: it is created with ``O_EXCL``, so not even a second ``dc new`` running at
the same moment can overwrite it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString

from ..core import TZ
from ..planfile.plan import Plan

SCHEMA_FILE = "records.schema.json"  # at the repository's root; `dc init` writes it
MODELINE = "yaml-language-server: $schema={path}"
MODELINE_MARK = MODELINE.split(" ", 1)[0]  # "yaml-language-server:": a comment that is one
KeyStyle = Literal["en", "zh"]
LEAD = ("id", "type", "unit", "date", "title")  # common fields that open every record
MAX_SUFFIX = 999  # names tried for one day before giving up


def field_order(plan: Plan, type_id: str) -> list[str]:
    """The canonical order of a type's fields: the common fields up to ``title``, the
    type's own fields, then the remaining common fields — each in the plan's order."""
    own = list(plan.types[type_id].fields)
    common = [name for name in plan.common_fields if name not in own]
    lead = [name for name in common if name in LEAD]
    return [*lead, *own, *(name for name in common if name not in LEAD)]


def key_of(plan: Plan, type_id: str, name: str, keys: KeyStyle) -> str:
    """The key ``name`` is written under: its id, or (``zh``) its Chinese name."""
    if keys == "en":
        return name
    spec = plan.field_spec(type_id, name)
    return spec.name if spec is not None and spec.name else name


def yaml(width: int = 4096) -> YAML:
    """The round-trip YAML writer every record file goes through (block style, 2 spaces,
    list items indented under their key, Chinese written as it is, and never an anchor or
    alias: records may not hold them, and one object in two fields — a day read once for
    both — is written out twice)."""
    out = YAML(typ="rt")
    out.width = width
    out.allow_unicode = True
    out.indent(mapping=2, sequence=4, offset=2)
    out.representer.ignore_aliases = lambda _data: True
    return out


def plain(value: Any) -> Any:
    """A typed value as a record file writes it: a date-time as the same instant in Beijing
    time, without an offset (``2023-05-03 10:05``), a whole float as an integer, several
    lines as a block."""
    if isinstance(value, dt.datetime):
        local = value.astimezone(TZ) if value.tzinfo is not None else value  # same instant
        return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def modeline(path: Path, root: Path) -> str:
    """The schema modeline for a file at ``path`` of the repository at ``root``."""
    rel = os.path.relpath(root / SCHEMA_FILE, path.parent)
    return MODELINE.format(path=Path(rel).as_posix())


def render(plan: Plan, type_id: str, values: dict[str, Any], keys: KeyStyle = "en",
           schema_line: str | None = None) -> str:
    """The YAML text of a record: ``values`` (field id → value; ``None`` left out) in the
    type's order, the type by its Chinese name, ``schema_line`` as the first comment."""
    doc = CommentedMap()
    rtype = plan.types[type_id]
    order = field_order(plan, type_id)
    for name in [*order, *(n for n in values if n not in order)]:
        value = rtype.name if name == "type" else values.get(name)
        if value is None or value == [] or value == "":
            continue
        doc[key_of(plan, type_id, name, keys)] = plain(value)
    if schema_line:
        doc.yaml_set_start_comment(schema_line)
    buf = io.StringIO()
    yaml().dump(doc, buf)
    return buf.getvalue()


def file_name(type_id: str, day: dt.date, n: int = 1) -> str:
    """``<type>-<mmdd>.yaml``, ``<type>-<mmdd>-2.yaml`` …"""
    suffix = "" if n == 1 else f"-{n}"
    return f"{type_id}-{day.month:02d}{day.day:02d}{suffix}.yaml"


def folder(records_dir: Path, unit: str, day: dt.date) -> Path:
    """``records/<unit>/<yyyy>/<mm>``."""
    return records_dir / unit / f"{day.year:04d}" / f"{day.month:02d}"


def free_path(records_dir: Path, unit: str, type_id: str, day: dt.date,
              claimed: Collection[Path] = ()) -> Path:
    """The first name of the day not taken yet (what :func:`create` would try first), nor
    in ``claimed`` (the names a dry run has given already)."""
    base = folder(records_dir, unit, day)
    for n in range(1, MAX_SUFFIX + 1):
        path = base / file_name(type_id, day, n)
        if path not in claimed and not path.exists():
            return path
    raise FileExistsError(str(base / file_name(type_id, day)))


def create(records_dir: Path, unit: str, type_id: str, day: dt.date,
           text_for: Callable[[Path], str]) -> Path:
    """Create the record file of the day under the first free name; never overwrite.

    ``text_for(path)`` gives the text (the modeline depends on where the file lands).
    """
    base = folder(records_dir, unit, day)
    base.mkdir(parents=True, exist_ok=True)
    for n in range(1, MAX_SUFFIX + 1):
        path = base / file_name(type_id, day, n)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(text_for(path).encode("utf-8"))
        return path
    raise FileExistsError(str(base / file_name(type_id, day)))
