"""Plan and record texts that several test modules build their small repositories from."""

from __future__ import annotations

import shutil
from pathlib import Path

from dianchang_cli.api import Repo

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "src" / "dianchang_cli" / "scaffold" / "minimal-plan"

# the fields every record of a made-up plan carries (a plan.yaml's `common_fields`)
COMMON_FIELDS = """\
common_fields:
  unit: {type: unit, required: true}
  type: {type: text, required: true}
  title: {type: text, required: true}
  date: {type: date}
  id: {type: text}
"""

# ------------------------------------------- the packaged minimal plan, one `count` rule
UNITS = """\
subdistrict: top
units:
  - {id: top, name: 总部, kind: subdistrict}
  - {id: east, name: 东区, kind: community}
"""

RULES = """\
rules:
  - id: "1.1"
    name: 社区每月至少开展一次阅读活动
    item: 1
    source: "社区每月至少开展一次阅读活动"
    basis: explicit
    kind: count
    scope: community
    period: month
    select:
      types: [TYPES]
      where: WHERE
    target: 1
    severity: error
"""


def make_plan(root: Path, types: str = "reading_activity",
              where: str = "r.participants > 10") -> Path:
    """The packaged minimal plan under ``root/plan``: two units, one rule on ``types``
    with this ``where``."""
    plan = root / "plan"
    shutil.copytree(MINIMAL, plan)
    (plan / "units.yaml").write_text(UNITS, encoding="utf-8")
    (plan / "rules.yaml").write_text(
        RULES.replace("TYPES", types).replace("WHERE", f"'{where}'"), encoding="utf-8")
    return plan


def make_repo(root: Path, plan: str, units: str = UNITS, rules: str | None = None) -> Repo:
    """A repository under ``root`` with these texts as plan/plan.yaml and plan/units.yaml
    (and plan/rules.yaml when given), and an empty records/."""
    (root / "plan").mkdir(parents=True)
    (root / "plan" / "units.yaml").write_text(units, encoding="utf-8")
    (root / "plan" / "plan.yaml").write_text(plan, encoding="utf-8")
    if rules is not None:
        (root / "plan" / "rules.yaml").write_text(rules, encoding="utf-8")
    (root / "records").mkdir()
    return Repo.at(root)


# ------------------------------------ records of the 2023 plan: dongyuan's media account
ACCOUNT = """\
type: media_account
unit: dongyuan
date: 2023-01-05
title: 东苑社区公众号
platform: 微信公众号
account_name: 东苑社区
filed_on: 2023-01-06
"""
# proofread by its own author: breaks the `each` rule on media posts (line 8: proofreader)
POST = """\
type: media_post
unit: dongyuan
date: 2023-05-03
title: 五月宣传推文
account: dongyuan/wechat
published_at: 2023-05-03 10:05
author: dy-pub
proofreader: dy-pub
reviewer: dy-sec
"""
POST_FILE = "records/dongyuan/post-1.yaml"
