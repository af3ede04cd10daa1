"""What git knows about a records repository: the commit, whether the tree is dirty, and
when and by whom each record file was first committed.

Every function degrades to "unknown" (``{}`` or ``None``) without git or outside a
repository: dc works on a plain folder, minus these facts.  History is read in ONE
``git log`` pass (``-z``, so Chinese and odd file names come through unquoted); no
subprocess per file.  Paths are POSIX and relative to the folder asked about
(``git log --relative``), so ``records/x.yaml`` matches a record's ``file``.

Commit times are the *committer* time (when the commit entered this history; a rebase
moves it later, never earlier), shown as days in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..core import TZ
from ..diagnostics import printable
from ..i18n import _

_FORMAT = "--format=%x1e%H%x1f%ae%x1f%an%x1f%ct%x1f%at"


class GitError(Exception):
    """git cannot answer: not installed, not a repository, or a bad revision."""


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``git -C root ARGS``, whatever its exit code; :class:`GitError` when git is missing,
    cannot start or takes over two minutes."""
    if shutil.which("git") is None:
        raise GitError("git is not installed")
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              encoding="utf-8", errors="replace", timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(str(exc)) from None


def _git(root: Path, *args: str) -> str | None:
    """The output of ``git -C root ARGS``, or None when git cannot answer."""
    try:
        done = _run(root, *args)
    except GitError:
        return None
    return done.stdout if done.returncode == 0 else None


def provenance(root: Path) -> dict[str, object]:
    """``{"commit": sha, "dirty": bool}``, or ``{}`` when ``root`` is not in a git checkout."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return {}
    status = _git(root, "status", "--porcelain", "--untracked-files=normal", "--",
                  "plan", "records")
    return {"commit": commit.strip(), "dirty": bool(status and status.strip())}


def is_shallow(root: Path) -> bool:
    """A shallow clone (CI default depth): its oldest commit seems to add every file."""
    return (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit of ``git log --name-status``: who, when, and the files it touched."""

    sha: str
    email: str  # author email
    name: str  # author name
    time: dt.datetime  # committer time, aware
    changes: tuple[tuple[str, str], ...]  # (status letter A/M/D/T, path)

    @property
    def day(self) -> dt.date:
        return self.time.astimezone(TZ).date()


@dataclass(frozen=True, slots=True)
class FirstCommit:
    """The commit that first added a file: its sha, author email and commit time."""

    sha: str
    email: str
    time: dt.datetime

    @property
    def day(self) -> dt.date:
        """The commit's day in Asia/Shanghai: what a ``basis: commit`` deadline counts."""
        return self.time.astimezone(TZ).date()


def parse_log(text: str) -> list[Commit]:
    """Parse ``git log -z --name-status`` output written with :data:`_FORMAT`."""
    commits: list[Commit] = []
    for chunk in text.split("\x1e")[1:]:
        header, _sep, rest = chunk.partition("\0")
        fields = header.split("\x1f")
        if len(fields) < 5:
            continue
        sha, email, name, ctime = fields[0], fields[1], fields[2], fields[3]
        tokens = rest.lstrip("\n").split("\0")
        changes = tuple((tokens[i][:1], tokens[i + 1]) for i in range(0, len(tokens) - 1, 2)
                        if tokens[i])
        when = dt.datetime.fromtimestamp(int(ctime), dt.UTC)
        commits.append(Commit(sha, email, name, when, changes))
    return commits


def _log_args(paths: Sequence[str], extra: Sequence[str]) -> list[str]:
    return ["-c", "core.quotepath=off", "log", "-z", "--no-renames", "--name-status",
            "--relative", _FORMAT, *extra, "--", *(paths or ["."])]


def log(root: Path, paths: Sequence[str] = (), since: str | None = None) -> list[Commit]:
    """Every commit touching ``paths`` (oldest first), or since revision ``since``.

    Raises :class:`GitError` with a readable message when git cannot answer.
    """
    require_repository(root)
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is None and not since:
        return []  # no commit yet
    extra = ["--reverse"]
    if since:
        extra.append(f"{verify_revision(root, since)}..HEAD")
    out = _git(root, *_log_args(paths, extra))
    if out is None:
        raise GitError(_("git log failed in {root}").format(root=root))
    return parse_log(out)


def first_by_path(commits: Sequence[Commit]) -> dict[str, FirstCommit]:
    """For each path, the earliest commit that added it."""
    first: dict[str, FirstCommit] = {}
    for c in commits:
        for status, path in c.changes:
            if status != "A":
                continue
            seen = first.get(path)
            if seen is None or c.time < seen.time:
                first[path] = FirstCommit(c.sha, c.email, c.time)
    return first


class PendingHistory:
    """``git log --diff-filter=A`` running in the background while records load.

    git writes to a temporary file (no pipe to fill, no thread), so the history pass costs
    little wall time next to parsing the YAML.  :meth:`result` waits and parses.
    """

    def __init__(self, root: Path, paths: Sequence[str]) -> None:
        self.root = root
        self._out: IO[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._empty = False  # a repository without commits: nothing is committed yet
        # why git cannot answer, when it cannot: (kind, one line); see unusable()
        self.why: tuple[str, str] | None = unusable(root)
        if self.why is not None:
            return
        if _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
            self._empty = True
            return
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 — closed in result()
        try:
            self._proc = subprocess.Popen(
                ["git", "-C", str(root), *_log_args(paths, ["--diff-filter=A"])],
                stdout=self._out, stderr=subprocess.DEVNULL)
        except OSError:
            self._out.close()
            self._out, self._proc = None, None

    def cancel(self) -> None:
        """Stop the pass (the caller no longer needs it)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
        if self._out is not None:
            self._out.close()
            self._out = None

    def result(self) -> dict[str, FirstCommit] | None:
        """path → :class:`FirstCommit`; ``None`` without git or outside a repository."""
        if self._proc is None or self._out is None:
            return {} if self._empty else None
        try:
            code = self._proc.wait(timeout=300)
            self._out.seek(0)
            text = self._out.read().decode("utf-8", errors="replace")
        except (OSError, subprocess.TimeoutExpired):
            self._proc.kill()
            self.why = ("failed", _("git log did not finish"))
            return None
        finally:
            self._out.close()
        if code != 0:
            self.why = ("failed", _("git log failed in {root}").format(
                root=printable(str(self.root))))
            return None
        return first_by_path(parse_log(text))


def first_commits(root: Path, paths: Sequence[str] = ()) -> dict[str, FirstCommit] | None:
    """path (relative to ``root``) → the commit that first added it; ``None`` without git."""
    return PendingHistory(root, paths).result()


NOT_INSTALLED = "not-installed"
NOT_A_REPOSITORY = "not-a-repository"


def unusable(root: Path) -> tuple[str, str] | None:
    """Why git cannot read the repository at ``root``, or ``None`` when it can.

    ``(kind, text)``: :data:`NOT_INSTALLED`, :data:`NOT_A_REPOSITORY` (a plain folder), or
    ``"refused"`` with git's own first line, e.g. a repository owned by another user and not
    listed in ``safe.directory`` ("dubious ownership", as on CI runners that mount a
    checkout), with the ``safe.directory`` command git suggests.  git runs with ``LC_ALL=C``
    here so that its answer can be told apart whatever the user's language.
    """
    if shutil.which("git") is None:
        return NOT_INSTALLED, _("git is not installed")
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-dir"],
                              capture_output=True, encoding="utf-8", errors="replace",
                              timeout=120, check=False, env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "refused", _("git cannot be run: {error}").format(error=printable(str(exc)))
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    if not lines or "not a git repository" in lines[0]:
        return NOT_A_REPOSITORY, _("{root} is not inside a git repository").format(
            root=printable(str(root)))
    first = lines[0].removeprefix("fatal: ")
    hint = next((line for line in lines[1:] if "safe.directory" in line), None)
    return "refused", printable(f"{first} ({hint})" if hint else first, 300)


def require_repository(root: Path) -> None:
    if shutil.which("git") is None:
        raise GitError(_("git is not installed"))
    if _git(root, "rev-parse", "--git-dir") is None:
        raise GitError(_("{root} is not inside a git repository").format(root=root))


def verify_revision(root: Path, rev: str) -> str:
    """The commit sha ``rev`` names; :class:`GitError` if it names none."""
    if rev.startswith("-"):
        raise GitError(_("bad revision '{rev}': no such commit").format(rev=printable(rev)))
    sha = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if not sha:
        raise GitError(_("bad revision '{rev}': no such commit").format(rev=printable(rev)))
    return sha.strip()


def changed_files(root: Path, rev: str, paths: Sequence[str] = ()) -> list[str]:
    """Files under ``paths`` that differ from ``rev`` in the work tree, plus untracked ones.

    Paths are relative to ``root``; deleted files are included (callers skip what is gone).
    """
    require_repository(root)
    sha = verify_revision(root, rev)
    spec = ["--", *(paths or ["."])]
    diff = _git(root, "-c", "core.quotepath=off", "diff", "-z", "--no-renames", "--name-only",
                "--relative", sha, *spec)
    untracked = _git(root, "-c", "core.quotepath=off", "ls-files", "-z", "--others",
                     "--exclude-standard", *spec)
    if diff is None or untracked is None:
        raise GitError(_("git diff failed in {root}").format(root=root))
    return sorted({p for p in (diff + untracked).split("\0") if p})


def user_email(root: Path) -> str | None:
    """The e-mail git will commit as here (``git config user.email``), or None."""
    email = (_git(root, "config", "user.email") or "").strip()
    return email or None


def user_name(root: Path) -> str | None:
    """The name git will commit as here (``git config user.name``), or None."""
    name = (_git(root, "config", "user.name") or "").strip()
    return name or None


def commit_files(root: Path, paths: Sequence[Path], message: str) -> str:
    """Stage exactly ``paths`` and commit them with ``message``; the new commit's id.

    Only these paths are committed (``git commit -- paths``), whatever else is staged.  A
    path no longer there is committed as removed if git knows it, and else left out (a
    file written and removed again since the last commit).  :class:`GitError` says why it
    could not (no git, not a repository, no identity).
    """
    names = [str(p) for p in paths if (root / p).exists() or (root / p).is_symlink()
             or _run(root, "ls-files", "--error-unmatch", "--", str(p)).returncode == 0]
    for args in (["add", "--", *names], ["commit", "-q", "-m", message, "--", *names]):
        done = _run(root, *args)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise GitError(said[-1] if said else "git failed")
    return (_git(root, "rev-parse", "HEAD") or "").strip()
