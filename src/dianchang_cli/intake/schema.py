"""The plan's record types as one JSON Schema (draft 2020-12) for a record file.

Editors read it to complete keys and values and to underline mistakes while a record is
typed: VS Code with the YAML extension (yaml-language-server) picks it up through the
modeline ``dc new`` writes, or through ``.vscode/settings.json`` (``dc init`` writes both).
It is generated from the plan alone (:func:`record_schema`), so it says what ``dc validate``
says wherever a schema can:

* the type key (``type``, ``类型`` …) takes any type id or Chinese name;
* one branch per record type, as ``allOf`` of ``if``/``then`` on the type's value.  An
  ``if`` selects exactly one ``then``, so yaml-language-server offers that type's keys only
  and reports the branch's own problems (``oneOf`` would make it guess the closest branch
  and report "matches multiple schemas" or the problems of a wrong one);
* in a branch every field under every spelling (id, Chinese name, aliases), each with a
  Chinese ``title`` and ``description``; ``additionalProperties: false``; a required field
  is an ``anyOf`` of ``required`` over its spellings; two spellings of one field are
  refused through ``dependentSchemas``;
* values as dc reads them (``records/values.py``): every date form dc accepts (2023-04-05,
  2023/4/5, 2023.4.5, 2023年4月5日; the days each month has, 29 February in leap years),
  date-times with an optional offset from −12:00 to +14:00, whole numbers within ±10⁹ and
  at least ``min``, a single value where a list is expected, ``是``/``否`` for yes/no, and an
  empty value (``~``, ``""``, ``[]``), which dc reads as a field left out;
* units, staff and rules as ``enum`` of their ids with the names as ``enumDescriptions``
  (what the editor shows beside each id); a type's ``unit_kinds`` narrows its units.

``format`` is left out on purpose: ``format: date`` and ``date-time`` mean RFC 3339 only,
and yaml-language-server would underline the 2023/4/5 and 2023年4月5日 dc accepts.
``errorMessage`` (a yaml-language-server keyword that validators ignore) gives the Chinese
sentence the editor shows for a value of the wrong form.

What a schema cannot know stays with ``dc validate``: resident ID-card and mobile numbers,
ids used twice, references to other records, ``not_before`` order, and dates after today
(a warning).  The texts are Chinese data like the plan's own names: the file is written for
community staff and must not change with ``--lang``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..planfile.model import FieldSpec
from ..planfile.plan import Plan
from ..records.validate import TypeSchema
from ..records.values import INT_LIMIT, MAX_TEXT, MAX_YEAR, MIN_YEAR
from .writer import field_order

DIALECT = "https://json-schema.org/draft/2020-12/schema"
Schema = dict[str, Any]

# ---------------------------------------------------------------- patterns (ECMAScript and re)
# Written for both dialects: no \d (Unicode digits in Python), no look-behind, no escapes
# that ECMAScript's unicode mode refuses.  Whitespace: dc squeezes runs to one space and
# strips the ends, so every optional space of values.py is \s* here.
_YEAR = r"(?:19[0-9]{2}|2[0-9]{3})"
_LEAP = r"(?:(?:19|2[0-9])(?:0[48]|[2468][048]|[13579][26])|2000|2400|2800)"
_S1 = r"\s*(?:-|/|\.|年)\s*"
_S2 = r"\s*(?:-|/|\.|月)\s*"
_MD = (rf"(?:(?:0?[13578]|1[02]){_S2}(?:0?[1-9]|[12][0-9]|3[01])"
       rf"|(?:0?[469]|11){_S2}(?:0?[1-9]|[12][0-9]|30)"
       rf"|0?2{_S2}(?:0?[1-9]|1[0-9]|2[0-8]))")
_YMD = rf"(?:{_YEAR}{_S1}{_MD}|{_LEAP}{_S1}0?2{_S2}29)(?:\s*日)?"
_TIME = (r"(?:[01]?[0-9]|2[0-3])\s*[:：时]\s*[0-5][0-9]"
         r"(?:\s*[:：分]\s*[0-5][0-9](?:\.[0-9]{1,6})?)?(?:\s*秒)?")
_OFFSET = (r"(?:Z|\+(?:(?:0[0-9]|1[0-3]):?[0-5][0-9]|14:?00)"
           r"|-(?:(?:0[0-9]|1[01]):?[0-5][0-9]|12:?00))")
PATTERNS = {
    "date": rf"^\s*{_YMD}\s*$",
    "datetime": rf"^\s*{_YMD}(?:\s*T\s*|\s+){_TIME}(?:\s*{_OFFSET})?\s*$",
    "month": rf"^\s*{_YEAR}{_S1}(?:0?[1-9]|1[0-2])(?:\s*月)?\s*$",
    "period": rf"^\s*{_YEAR}(?:-.+)?\s*$",
    "url": (r"^\s*(?:https://\S+\s*|(?![/\\]|[A-Za-z]:)(?![\s\S]*://)"
            r"(?!\.\.(?:[/\\]|\s*$))(?![\s\S]*[/\\]\.\.(?:[/\\]|\s*$))\S[\s\S]*)$"),
}

# ---------------------------------------------------------------- Chinese texts
FORMATS = {
    "text": f"文字（不超过{MAX_TEXT}字）",
    "integer": "整数，如 36",
    "number": "数字，如 2.5",
    "bool": "是 或 否（也可写 true / false）",
    "date": "日期，如 2023-04-05（也可写 2023/4/5、2023.4.5、2023年4月5日）",
    "datetime": "日期和时间，如 2023-05-03 10:05（北京时间），或带时区 2023-05-03T10:05:00+08:00",
    "month": "月份，如 2023-04（也可写 2023年4月）",
    "period": "考核期，如 2023-07、2023-Q3、2023-H1、2023，或“年份-节日名”",
    "url": "https:// 开头的网址，或仓库内的文件路径，如 evidence/照片.jpg",
    "unit": "单位编号（plan/units.yaml 中的 id）",
    "staff": "工作人员编号（plan/units.yaml 中的 id）",
    "rule": "规则编号（dc rules 列出全部规则）",
    "record": "另一条记录的编号（它的 id；没写 id 的记录用它在 records/ 下的路径，不带 .yaml）",
    "enum": "下列之一：{values}",
}
UNIT_KINDS = {"subdistrict": "街道", "community": "社区", "branch": "党支部"}


def _fmt(kind: str, spec: FieldSpec) -> str:
    return FORMATS.get(kind, FORMATS["text"]).format(values="、".join(spec.values or ()))


# ---------------------------------------------------------------- value schemas
def _defs(plan: Plan) -> Schema:
    """Value schemas shared by many fields, referred to as ``#/$defs/<kind>``."""
    defs: Schema = {
        "empty": {"description": "空值：与不写这个字段相同",
                  "type": ["null", "string", "array"], "maxLength": 0, "maxItems": 0},
        # Not empty.  Booleans only where the field is yes/no: an editor offers true and
        # false for any schema whose type admits them.
        "filled": {"description": "必填字段的值不能空着",
                   "type": ["string", "number", "array", "object"],
                   "pattern": "[\\s\\S]", "minItems": 1,
                   "errorMessage": "必填字段，不能空着"},
        "filled-bool": {"description": "必填字段的值不能空着",
                        "type": ["string", "boolean", "array"],
                        "pattern": "[\\s\\S]", "minItems": 1,
                        "errorMessage": "必填字段，不能空着"},
        "text": {"type": ["string", "number"], "maxLength": MAX_TEXT,
                 "errorMessage": "应填" + FORMATS["text"]},
        "bool": {"enum": [True, False, "是", "否"], "errorMessage": "应填" + FORMATS["bool"]},
        "period": {"type": ["string", "integer"], "pattern": PATTERNS["period"],
                   "minimum": MIN_YEAR, "maximum": MAX_YEAR,
                   "errorMessage": "应填" + FORMATS["period"]},
        "url": {"type": ["string", "number"], "pattern": PATTERNS["url"],
                "errorMessage": "应填" + FORMATS["url"]},
        "record": {"type": ["string", "number"], "maxLength": MAX_TEXT,
                   "errorMessage": "应填" + FORMATS["record"]},
    }
    for kind in ("date", "datetime", "month"):
        defs[kind] = {"type": "string", "pattern": PATTERNS[kind],
                      "errorMessage": "应填" + FORMATS[kind]}
    defs["unit"] = _units(plan, None)
    defs["staff"] = _choices(list(plan.staff), [f"{s.name}（{plan.unit_name(s.unit)}）"
                                                for s in plan.staff.values()],
                             "应填" + FORMATS["staff"])
    defs["rule"] = _choices([r.id for r in plan.rules], [r.name for r in plan.rules],
                            "应填" + FORMATS["rule"])
    return defs


def _choices(values: list[str], descriptions: list[str] | None = None,
             message: str = "") -> Schema:
    """``enum`` of ``values``, and the number each that reads as one is written as without
    quotes: dc reads a number where text is expected as its digits (``rule: 12.2`` is rule
    ``"12.2"``, and the editor's own completion inserts it so), so the schema takes it too.

    The numbers are ranges of one value, not ``enum``: an editor offers every ``enum``
    value, and would list ``"12.2"`` and ``12.2`` side by side."""
    out: Schema = {"enum": values}
    if descriptions is not None:
        out["enumDescriptions"] = descriptions
    if message:
        out["errorMessage"] = message
    numbers = [n for n in map(_number, values) if n is not None]
    if not numbers:
        return out
    digits: Schema = {"type": "number",
                      "anyOf": [{"minimum": n, "maximum": n} for n in numbers]}
    if message:
        digits["errorMessage"] = message
    return {"anyOf": [out, digits]}


def _number(text: str) -> int | float | None:
    """The YAML number whose digits dc reads back as ``text``, if there is one."""
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        if str(number) == text and not (isinstance(number, float) and not math.isfinite(number)):
            return number
    return None


def _units(plan: Plan, kinds: list[str] | None) -> Schema:
    """The unit ids (of ``kinds`` only, when given), their names beside them."""
    units = [u for u in plan.units.values() if not kinds or u.kind in kinds]
    where = "、".join(UNIT_KINDS.get(k, k) for k in kinds) if kinds else ""
    return _choices([u.id for u in units], [u.name for u in units],
                    "应填" + FORMATS["unit"] + (f"，须为{where}" if where else ""))


def _ref(kind: str) -> Schema:
    return {"$ref": f"#/$defs/{kind}"}


def _item(kind: str, spec: FieldSpec, unit_kinds: list[str] | None) -> Schema:
    """The schema of one value of ``kind`` (a field's value, or one item of a list)."""
    if kind == "enum":
        return _choices(list(spec.values or ()), message="应填" + _fmt(kind, spec))
    if kind in ("integer", "number"):
        low = -INT_LIMIT if spec.min is None else max(spec.min, -INT_LIMIT)
        low_shown = int(low) if float(low).is_integer() else low
        out: Schema = {"type": kind, "minimum": low_shown, "maximum": INT_LIMIT,
                       "errorMessage": "应填" + FORMATS[kind]
                       + (f"，不小于{low_shown}" if spec.min is not None else "")}
        return out
    if kind == "unit" and unit_kinds:
        return _ref(_units_key(unit_kinds))
    return _ref(kind if kind in FORMATS else "text")


def _units_key(kinds: list[str]) -> str:
    """The name in ``$defs`` of the units of ``kinds``."""
    return "unit-" + "-".join(kinds)


def _value(spec: FieldSpec, unit_kinds: list[str] | None, required: bool) -> Schema:
    """What a field's value may be: one value (first, so a wrong one is told in its own
    words), a list of them for a list field, and an empty value (dc reads it as a field left
    out) — or, for a required field, anything but an empty value."""
    item = _item(spec.value_kind, spec, unit_kinds)
    options = [item, {"type": "array", "items": item}] if spec.type == "list" else [item]
    if required:
        kind = spec.value_kind
        filled = {"allOf": [_ref("filled-bool" if kind == "bool" else "filled")]}
        return {**options[0], **filled} if len(options) == 1 else {"anyOf": options, **filled}
    return {"anyOf": [*options, _ref("empty")]}


# ---------------------------------------------------------------- descriptions
def _describe(field_id: str, spec: FieldSpec, required: bool, ts: TypeSchema,
              unit_kinds: list[str] | None) -> str:
    """What a field is, in the words the editor shows on hover and in completion."""
    kind = spec.value_kind
    parts = [f"{spec.name or field_id}（{field_id}）", "必填" if required else "选填"]
    if spec.type == "list":
        parts.append("可填多项（列表），只有一项时也可直接写在冒号后；每项：" + _fmt(kind, spec))
    else:
        parts.append(_fmt(kind, spec))
    if spec.min is not None:
        parts.append(f"不小于{int(spec.min) if float(spec.min).is_integer() else spec.min}")
    if unit_kinds:
        parts.append("须为" + "、".join(UNIT_KINDS.get(k, k) for k in unit_kinds))
    if spec.not_before:
        other = ts.fields.get(spec.not_before)
        parts.append(f"不得早于“{other.name if other and other.name else spec.not_before}”")
    if spec.default_month_of:
        source = ts.fields.get(spec.default_month_of)
        shown = source.name if source and source.name else spec.default_month_of
        parts.append(f"不填时取“{shown}”所在的月份")
    spellings = spec.spellings(field_id)
    if len(spellings) > 1:
        parts.append("键可写作 " + " 或 ".join(spellings) + "，只写一个")
    if spec.note:
        parts.append(spec.note)
    return "。".join(p.rstrip("。") for p in parts) + "。"


# ---------------------------------------------------------------- one branch per type
def _branch(plan: Plan, ts: TypeSchema, type_keys: list[str], defs: Schema) -> Schema:
    """``if`` the type key names this type ``then`` its fields, required keys, no others.

    A common field the type does not redefine is written once in ``defs`` and referred to
    from every branch (the schema would otherwise repeat it for every type)."""
    rtype = ts.type
    properties: Schema = {}
    required: list[Schema] = []
    for name in _order(plan, ts):
        spec = ts.fields[name]
        is_required = name in ts.required
        unit_kinds = rtype.unit_kinds if name == "unit" else None
        shared = name != "type" and name not in rtype.fields and not unit_kinds
        if name == "type":
            prop = {"title": spec.name or name,
                    "description": f"记录类型（必填）：{rtype.name}，也可写编号 {rtype.id}。",
                    "enum": [rtype.name, rtype.id],
                    "enumDescriptions": [rtype.description or rtype.name, rtype.name]}
        else:
            prop = {"title": spec.name or name,
                    "description": _describe(name, spec, is_required, ts, unit_kinds),
                    **_value(spec, unit_kinds, is_required)}
        if shared:
            prop = _shared(defs, f"field-{name}" + ("-required" if is_required else ""), prop)
        for key in spec.spellings(name):
            properties[key] = prop
        if is_required:
            required.append(_shared(defs, f"required-{name}", _required(name, spec))
                            if shared else _required(name, spec))
    then: Schema = {"title": rtype.name,
                    "description": _type_text(rtype.name, rtype.id, rtype.description),
                    "properties": properties, "additionalProperties": False,
                    # yaml-language-server shows it for a key the type does not have
                    "errorMessage": f"“{rtype.name}”没有这个字段；按 Ctrl+空格 可列出它的全部字段"}
    if required:
        then["allOf"] = required
    own = {k: v for name, spec in rtype.fields.items()
           for k, v in _one_spelling(name, spec).items()}
    if own:
        then["dependentSchemas"] = own
    return {"if": {"anyOf": [{"required": [k], "properties": {k: {"enum": [rtype.name,
                                                                           rtype.id]}}}
                             for k in type_keys]},
            "then": then}


def _shared(defs: Schema, key: str, schema: Schema) -> Schema:
    defs.setdefault(key, schema)
    return _ref(key)


def _order(plan: Plan, ts: TypeSchema) -> list[str]:
    """The type's fields in the order a record file writes them (any the writer's order
    does not know follow in the plan's order)."""
    order = [n for n in field_order(plan, ts.type.id) if n in ts.fields]
    return order + [n for n in ts.fields if n not in order]


def _required(name: str, spec: FieldSpec) -> Schema:
    """Present under one of its spellings (its value is :func:`_value`'s ``filled``).

    The alternatives name no ``properties``: yaml-language-server would offer each as a
    skeleton of its own in the completion list."""
    label = spec.name or name
    message = f"缺少必填字段“{label}”（可写作 {' 或 '.join(spec.spellings(name))}）"
    return {"anyOf": [{"required": [key], "errorMessage": message}
                      for key in spec.spellings(name)]}


def _one_spelling(name: str, spec: FieldSpec) -> Schema:
    """For each spelling, the other spellings are refused beside it."""
    keys = spec.spellings(name)
    if len(keys) < 2:
        return {}
    return {key: {"properties": {other: False for other in keys if other != key},
                  "errorMessage": f"“{key}”与{'、'.join(f'“{o}”' for o in keys if o != key)}"
                                  f"是同一个字段，只写一个"}
            for key in keys}


def _type_text(name: str, type_id: str, description: str | None) -> str:
    return f"{name}（{type_id}）" + (f"：{description}" if description else "")


# ---------------------------------------------------------------- the whole schema
def record_schema(plan: Plan) -> Schema:
    """The JSON Schema of one record file of ``plan`` (deterministic: plan order)."""
    schemas = [TypeSchema(plan, t) for t in plan.types.values()]
    type_spec = plan.common_fields.get("type") or FieldSpec(name=None)
    type_keys = type_spec.spellings("type")
    names = [t.name for t in plan.types.values()]
    ids = [t.id for t in plan.types.values() if t.id not in names]
    type_value = {
        "title": type_spec.name or "type",
        "description": "记录类型（必填）：下列类型的中文名或编号之一。键可写作 "
                       + " 或 ".join(type_keys) + "。",
        "enum": [*names, *ids],
        "enumDescriptions": [_type_text(t.name, t.id, t.description)
                             for t in plan.types.values()]
        + [t.name for t in plan.types.values() if t.id not in names],
        "errorMessage": "未知的记录类型：应为计划中的类型之一（中文名或编号）",
    }
    defs = _defs(plan)
    for rtype in plan.types.values():
        if rtype.unit_kinds:
            defs[_units_key(rtype.unit_kinds)] = _units(plan, rtype.unit_kinds)
    out: Schema = {
        "$schema": DIALECT,
        "title": f"{plan.meta.title}：活动记录",
        "description": "一个记录文件（records/ 下的一个 YAML 文件）：先写“类型”，编辑器就会列出"
                       "这一类型的全部字段。由 dc schema 根据 plan/ 生成，请勿手改。",
        "type": "object",
        "errorMessage": "一个记录文件是若干行“字段: 值”，第一行写类型，如 "
                        f"{type_keys[-1]}: {names[0] if names else '…'}",
        "properties": {key: type_value for key in type_keys},
        "anyOf": [{"required": [key], "errorMessage": "缺少“类型”：每条记录先写类型，如 "
                   f"{type_keys[-1]}: {names[0] if names else '…'}"} for key in type_keys],
        "allOf": [_branch(plan, ts, type_keys, defs) for ts in schemas],
        "$defs": defs,
    }
    # Two spellings of one common field are refused whatever the type (a type's own fields
    # are refused in its branch).
    common = {k: v for name, spec in plan.common_fields.items()
              for k, v in _one_spelling(name, spec).items()}
    if common:
        out["dependentSchemas"] = common
    return out


def dumps(schema: Schema) -> str:
    """Pretty JSON, Chinese as it is, keys in the order built, one trailing newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def schema_text(plan: Plan) -> str:
    """:func:`record_schema` of ``plan`` as the text of ``records.schema.json``."""
    return dumps(record_schema(plan))
