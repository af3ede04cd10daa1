"""Commit the demo records the way communities would have: week by week, by their own staff.

    python tools/commit_demo.py            # in a checkout whose records/ is not committed yet

Records are grouped by unit and by the week of their date and committed at the end of that
week (Sunday 18:00 Beijing time), with author and committer dates set to then, by the first
git identity that ``plan/units.yaml`` lists for the unit (a branch's records by its
community's staff).  So ``dc check`` on the demo sees realistic commit facts, and two
deliberate departures show the git features at work:

* ``LATE``: one unit-week committed six weeks late → ``late-entry`` (补录) warnings;
* ``STRANGER``: one week committed by an identity ``units.yaml`` does not list for that unit
  → a finding of ``dc audit``.

The script refuses to run when any record under ``records/`` is already tracked by git.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LATE = ("nanhu", "2023-06-05")  # (unit, a day in the week) committed six weeks late
STRANGER = ("hexi", "2023-10-09", "volunteer-hx@example.org")  # (unit, day, email)


def git(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True)
    return done.stdout


def week_end(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=6 - day.weekday())


def identities() -> dict[str, str]:
    units = yaml.safe_load((ROOT / "plan" / "units.yaml").read_text(encoding="utf-8"))
    parent = {u["id"]: u.get("parent") for u in units["units"]}
    first: dict[str, str] = {}
    for person in units.get("staff", []):
        for email in person.get("git", []):
            first.setdefault(person["unit"], email)
    return {uid: first.get(uid) or first.get(parent.get(uid) or "", "") for uid in parent}


def main() -> None:
    if git("ls-files", "records").strip():
        sys.exit("records/ is already committed; run this on a checkout without them")
    who = identities()
    batches: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
    for path in sorted((ROOT / "records").rglob("*.yaml")):
        rec = yaml.safe_load(path.read_text(encoding="utf-8"))
        day = dt.date.fromisoformat(str(rec["date"])[:10])
        unit = str(rec["unit"])
        when = week_end(day)
        if (unit, week_end(dt.date.fromisoformat(LATE[1]))) == (LATE[0], when):
            when += dt.timedelta(weeks=6)
        batches[(when, unit)].append(str(path.relative_to(ROOT)))
    for (when, unit), files in sorted(batches.items()):
        email = who.get(unit) or "dc-coord@example.org"
        if unit == STRANGER[0] and when == week_end(dt.date.fromisoformat(STRANGER[1])):
            email = STRANGER[2]
        stamp = f"{when.isoformat()}T18:00:00+08:00"
        env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
               "GIT_AUTHOR_NAME": email.split("@")[0], "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": email.split("@")[0], "GIT_COMMITTER_EMAIL": email}
        git("add", "--", *files)
        message = f"{unit}: {len(files)} 条活动记录（{when:%Y-%m-%d} 当周）"
        git("commit", "-q", "-m", message, env=env)
    print(f"{len(batches)} commits")


if __name__ == "__main__":
    main()
