"""Work handed to a forked child process, where forking is safe and cheap.

A check of 100,000 records holds them all in memory once they are read.  A child made with
``fork`` shares that memory (copy-on-write) instead of receiving it: it can evaluate half of
the rules, or write a cache file, while the parent goes on with the rest — no record is
pickled to get there.  Only what the child gives back travels, as bytes through a pipe.

This is done on Linux only, and only in a process running a single thread.  Windows has no
``fork``; on macOS the system libraries are not fork-safe (Python starts its workers with
``spawn`` there for that reason).  Everywhere else :func:`fork` answers ``None`` and the
caller does the work itself, as it also does when a child fails in any way: a child is a
way to save time, never a way to lose a result.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable


def available() -> bool:
    """Whether :func:`fork` can make a child here and now: on Linux, and only while this
    process runs a single thread — a lock another thread holds at the moment of the fork
    (a logger's, the import system's) would be held for ever in the child, which could
    then hang, and its parent with it.  (dc itself starts no threads; a program using dc as
    a library may.)"""
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


LIMIT = 600.0  # seconds a child may take; past it, it is ended and counts as failed


class Child:
    """A forked child at work; :meth:`result` (or :meth:`wait`) waits for it, once, for at
    most :data:`LIMIT` seconds from its start: a child that hangs is ended and has failed."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self._pipe = pid, pipe
        self._deadline = time.monotonic() + LIMIT

    def result(self) -> bytes | None:
        """What the child gave back, once it has ended well; ``None`` when it failed."""
        data = self._drain(keep=True)
        return data if self._ended_well(data is not None) else None

    def wait(self) -> bool:
        """Wait for the child (ignoring anything it wrote); whether it ended well."""
        return self._ended_well(self._drain(keep=False) is not None)

    def stop(self) -> None:
        """End the child now (its work is no longer wanted) and wait for it."""
        self._close()
        self._ended_well(False)

    def _close(self) -> None:
        """Close this end of the pipe, once (the number may be another file's after)."""
        if self._pipe >= 0:
            with contextlib.suppress(OSError):
                os.close(self._pipe)
            self._pipe = -1

    def _drain(self, keep: bool) -> bytes | None:
        """Everything the child writes, up to the end of the pipe (its exit), or ``None``
        when the time is up first."""
        chunks: list[bytes] = []
        if self._pipe < 0:
            return None
        try:
            while True:
                left = self._deadline - time.monotonic()
                if left <= 0 or not select.select([self._pipe], [], [], left)[0]:
                    return None
                chunk = os.read(self._pipe, 1 << 20)
                if not chunk:
                    return b"".join(chunks)
                if keep:
                    chunks.append(chunk)
        except OSError:
            return None
        finally:
            self._close()

    def _ended_well(self, finished: bool) -> bool:
        """Reap the child — ended first unless it has ``finished`` (closed its end of the
        pipe, which it does only when it exits) — and say whether it exited well."""
        if not finished:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        try:
            _pid, status = os.waitpid(self.pid, 0)
        except (ChildProcessError, OSError):
            return False
        return finished and os.waitstatus_to_exitcode(status) == 0


def fork(work: Callable[[], bytes | None]) -> Child | None:
    """Run ``work`` in a forked child, which exits as soon as it is done (nothing of the
    parent's — buffered output, exit handlers — runs in it).  Its bytes come back through
    :meth:`Child.result`; a child whose ``work`` raises or returns ``None`` has failed.
    ``None`` when no child can be made here (see the module's note)."""
    if not available():
        return None
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_end)
            data = work()
            if data is not None:
                with os.fdopen(write_end, "wb") as out:
                    out.write(data)
                status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return Child(pid, read_end)
