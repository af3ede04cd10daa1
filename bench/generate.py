"""Generate a synthetic records repository: N records over M communities, ~330 bytes each.

    python bench/generate.py OUT_DIR --records 10000 --communities 20

The repository gets a copy of the project's plan with ``units.yaml`` rewritten for M
communities (one party branch each, staff by role), and N valid records spread over April–
December of the plan year across the plan's record types, weighted like real work (mostly
volunteer service, reading and posts).  Type ids, fields and enum values are read from the
plan, so the generator follows whatever plan it is given.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
FILLER = "社区组织志愿者开展活动，围绕群众需求提供服务，活动现场秩序良好，群众反响热烈。"


def units_yaml(m: int) -> dict[str, Any]:
    units: list[dict[str, Any]] = [{"id": "top", "name": "示例街道", "kind": "subdistrict"}]
    staff: list[dict[str, Any]] = [{"id": "top-sec", "name": "街道书记", "unit": "top",
                                    "roles": ["secretary"]}]
    for i in range(m):
        cid = f"c{i:03d}"
        units.append({"id": cid, "name": f"第{i + 1}社区（示例）", "kind": "community"})
        units.append({"id": f"{cid}-b1", "name": f"第{i + 1}社区党支部（示例）", "kind": "branch",
                      "parent": cid})
        for role in ROLES:
            staff.append({"id": f"{cid}-{role[:3]}", "name": f"第{i + 1}社区{role}",
                          "unit": cid, "roles": [role]})
    return {"subdistrict": "top", "units": units, "staff": staff}


ROLES = ("secretary", "publicity", "proofreader", "liaison")


def value_for(name: str, spec: dict[str, Any], rnd: random.Random, unit: str, day: str,
              refs: dict[str, list[str]]) -> Any:
    kind = spec.get("type", "text")
    if kind == "enum":
        return rnd.choice(spec["values"])
    if kind == "list":
        if spec.get("items") == "enum":
            return rnd.sample(spec["values"], k=min(len(spec["values"]), rnd.randint(1, 3)))
        return ["材料一", "材料二"]
    if kind in ("integer",):
        return rnd.randint(1, 60)
    if kind == "number":
        return round(rnd.uniform(1, 40), 1)
    if kind == "bool":
        return rnd.random() < 0.5
    if kind == "date":
        return day
    if kind == "datetime":
        return f"{day} 10:0{rnd.randint(0, 4)}"
    if kind == "month":
        return day[:7]
    if kind == "staff":  # the staff member whose role is named like the field, else the secretary
        return f"{unit}-{name[:3]}" if name in ROLES else f"{unit}-sec"
    if kind == "unit":
        return unit
    if kind == "record":
        return rnd.choice(refs.get(spec.get("to", ""), ["none"]))
    if kind == "url":
        return f"evidence/{unit}/{day}.jpg"
    return "示例内容"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--communities", type=int, default=20)
    ap.add_argument("--plan", type=Path, default=ROOT / "plan")
    args = ap.parse_args()
    rnd = random.Random(2023)
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(args.plan, args.out / "plan", ignore=shutil.ignore_patterns("tests"))
    (args.out / "plan" / "units.yaml").write_text(
        yaml.safe_dump(units_yaml(args.communities), allow_unicode=True), encoding="utf-8")
    types: list[dict[str, Any]] = []
    year = 2023
    for path in sorted((args.out / "plan").rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        types.extend(doc.get("record_types", []))
        year = doc.get("plan", {}).get("year", year)
    # registries and referenced types first, so references point at real records
    types.sort(key=lambda t: (t["kind"] != "registry", t["id"]))
    heavy = {t["id"]: 1.0 for t in types}
    for t in types:  # event types with volunteers required are the bulk of real work
        if "volunteers" in t.get("fields", {}):
            heavy[t["id"]] = 12.0
    refs: dict[str, list[str]] = {}
    communities = [f"c{i:03d}" for i in range(args.communities)]
    # types that point at rules or other units, or belong to branches, are left out
    pool = [t for t in types if not t.get("unit_kinds")
            and not any(f.get("type") in ("rule", "unit") for f in t.get("fields", {}).values())]
    weights = [heavy[t["id"]] for t in pool]
    for n in range(args.records):
        t = pool[n % len(pool)] if n < len(pool) * 2 else rnd.choices(pool, weights)[0]
        unit = rnd.choice(communities)
        day = f"{year}-{rnd.randint(4, 12):02d}-{rnd.randint(1, 28):02d}"
        rec: dict[str, Any] = {"type": t["name"], "unit": unit, "date": day,
                               "title": f"{t['name']}（第{n}号）", "location": "社区活动室",
                               "participants": rnd.randint(5, 80), "summary": FILLER}
        for name, spec in t.get("fields", {}).items():
            if spec.get("required") or rnd.random() < 0.5:
                rec[name] = value_for(name, spec, rnd, unit, day, refs)
        rid = f"{unit}/{day[:7]}/{t['id']}-{n:06d}"
        refs.setdefault(t["id"], []).append(rid)
        path = args.out / "records" / f"{rid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(rec, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    print(f"{args.records} records, {args.communities} communities → {args.out}")


if __name__ == "__main__":
    main()
