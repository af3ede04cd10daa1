"""Commit the demo records the way communities would have: week by week, by their own staff.

    python tools/commit_demo.py            # in a checkout whose records/ is not committed yet
    python tools/commit_demo.py --additions  # commit only records added or changed since

Records are grouped by unit and by the week of their date and committed at the end of that
week (Sunday 18:00 Beijing time), with author and committer dates set to then, by the first
git identity that ``plan/units.yaml`` lists for the unit (a branch's records by its
community's staff).  So ``dc check`` on the demo sees realistic commit facts, and two
deliberate departures show the git features at work:

* ``LATE``: one unit-week committed six weeks late → ``late-entry`` (补录) warnings;
* ``STRANGER``: one week committed by an identity ``units.yaml`` does not list for that unit
  → a finding of ``dc audit``.

The script refuses to run when any record under ``records/`` is already tracked by git.

``--additions`` commits the records ``tools/make_demo.py`` added or changed after the demo
history was made (e.g. when the plan gained a rule): untracked or modified files under
``records/``, grouped and backdated the same way, so a new event is not a 补录 just because
it was generated later.  The two deliberate departures are not repeated: they stay one
late week and one stranger commit.  Each commit names its files, so nothing else staged in
the checkout is committed with them.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
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


def pending() -> list[Path]:
    """Record files not committed yet, or changed since their last commit."""
    out = git("ls-files", "--others", "--modified", "--exclude-standard", "-z", "--",
              "records")
    return sorted({ROOT / p for p in out.split("\0") if p.endswith(".yaml")})


def commit(files: list[str], env: dict[str, str], message: str) -> None:
    """Commit exactly ``files``; wait and retry while another git command holds the index."""
    for attempt in range(30):
        try:
            git("add", "--", *files)
            git("commit", "-q", "-m", message, "--", *files, env=env)
            return
        except subprocess.CalledProcessError as exc:
            if "index.lock" not in (exc.stderr or "") or attempt == 29:
                raise
            time.sleep(2)


def main(argv: list[str]) -> None:
    additions = "--additions" in argv
    if additions:
        paths = pending()
    elif git("ls-files", "records").strip():
        sys.exit("records/ is already committed; run this on a checkout without them")
    else:
        paths = sorted((ROOT / "records").rglob("*.yaml"))
    who = identities()
    batches: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
    for path in paths:
        rec = yaml.safe_load(path.read_text(encoding="utf-8"))
        day = dt.date.fromisoformat(str(rec["date"])[:10])
        unit = str(rec["unit"])
        when = week_end(day)
        late_week = (unit, week_end(dt.date.fromisoformat(LATE[1]))) == (LATE[0], when)
        if late_week and not additions:
            when += dt.timedelta(weeks=6)
        batches[(when, unit)].append(str(path.relative_to(ROOT)))
    for (when, unit), files in sorted(batches.items()):
        email = who.get(unit) or "dc-coord@example.org"
        stranger = unit == STRANGER[0] and when == week_end(dt.date.fromisoformat(STRANGER[1]))
        if stranger and not additions:
            email = STRANGER[2]
        stamp = f"{when.isoformat()}T18:00:00+08:00"
        env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
               "GIT_AUTHOR_NAME": email.split("@")[0], "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": email.split("@")[0], "GIT_COMMITTER_EMAIL": email}
        commit(files, env, f"{unit}: {len(files)} 条活动记录（{when:%Y-%m-%d} 当周）")
    print(f"{len(batches)} commits")


if __name__ == "__main__":
    main(sys.argv[1:])
