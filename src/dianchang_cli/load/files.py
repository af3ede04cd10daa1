"""Reading one untrusted file with bounded cost: regular files inside the repository only.

A records or plan folder comes from a pull request, and git can commit a symlink.  So before
a file is opened it is looked at with ``lstat``/``stat``:

* a symlink whose target lies outside the repository is refused (``outside-repo``) and its
  target is never opened;
* anything that is not a regular file — a FIFO (which would block a read forever), a device
  such as ``/dev/zero`` (which never ends), a folder named ``x.yaml`` — is ``not-a-file``;
* at most ``limit + 1`` bytes are read, so a file that grows while it is read still costs at
  most that much (``too-large``).

Only the last part of a path is looked at unless ``strict=True``: a walk that does not follow
symlinked folders (:func:`dianchang_cli.records.batch.discover`) cannot reach a file through
one, so checking every file's full real path would only cost time.  A path named by a person
(``dc validate FILE``) may pass through a symlinked folder: ``strict=True`` resolves it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..i18n import _, os_reason

MAX_BYTES = 1024 * 1024


class Unreadable(Exception):
    """A file that is not read; ``code`` is the problem code, ``message`` says why."""

    def __init__(self, code: str, message: str, expected: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.expected = code, message, expected


def inside(path: str | Path, root: Path) -> bool:
    """Whether ``path``, every symlink on the way resolved, is ``root`` or lies below it."""
    try:
        real = Path(os.path.realpath(path))
        base = Path(os.path.realpath(root))
    except (OSError, ValueError):
        return False
    return real == base or base in real.parents


def lexically_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` is written as ``root`` or below it (no symlink resolved, no disk access)."""
    try:
        real = os.path.normcase(os.path.abspath(path))
        base = os.path.normcase(os.path.abspath(root))  # Windows: C:\Repo is c:\repo
        return os.path.commonpath([real, base]) == base
    except ValueError:  # different drives on Windows, or a NUL in the name
        return False


def _outside() -> Unreadable:
    return Unreadable("outside-repo",
                      _("the file is a symbolic link to a place outside the "
                        "repository; it is not read"),
                      _("a real file inside the repository"))


_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # absent on Windows: there the careful path runs
_LINK_ERRORS = (errno.ELOOP, errno.EMLINK)  # what O_NOFOLLOW gives for a symlink


def read_limited(path: str | Path, root: Path | None, limit: int = MAX_BYTES, *,
                 strict: bool = False) -> bytes:
    """The bytes of ``path``, or :class:`Unreadable`; never blocks and never reads more than
    ``limit + 1`` bytes.  ``root``: the folder the file (and any symlink target) must stay in;
    ``None`` skips that check (a file named on the command line).  ``strict``: resolve the
    whole path against ``root``, not only a symlink in its last part.

    The common case costs four system calls: ``open`` refusing symlinks (O_NOFOLLOW) and
    not waiting on a pipe (O_NONBLOCK), ``fstat`` of what was opened, one ``read`` of the
    size ``fstat`` gave, ``close``.  Only a symlink takes the careful path: ``lstat``, where
    it leads, then ``open``.
    """
    return read_stamped(path, root, limit, strict=strict)[0]


def read_stamped(path: str | Path, root: Path | None, limit: int = MAX_BYTES, *,
                 strict: bool = False) -> tuple[bytes, os.stat_result | None]:
    """:func:`read_limited`, and the ``fstat`` of the file read when ``path`` itself is that
    file (``None`` when it was reached through a symlink): what a fresh ``lstat`` before the
    read would have told, without a system call of its own."""
    if strict and root is not None and not inside(path, root):
        raise _outside()
    fd, info, plain = _open_regular(path, root, limit)
    expected = info.st_size
    try:
        chunks, size = [], 0
        while size <= limit:
            # the size fstat gave, in one read (not a buffer of the limit's size for every
            # file); a file of size 0 (procfs and the like) is read in pieces to its end
            want = expected - size if size < expected else 1 << 16
            chunk = os.read(fd, min(want, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if 0 < expected <= size:
                break  # all the file had when it was opened (size 0: read on to the end)
    except OSError as exc:
        raise _unreadable(exc) from exc
    finally:
        os.close(fd)
    if size > limit:
        raise _too_large(limit)
    return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), (info if plain else None)


def open_limited(path: Path, root: Path | None, limit: int = MAX_BYTES) -> BinaryIO:
    """:func:`read_limited`'s checks (a regular file, no symlink leading out of ``root``, at
    most ``limit`` bytes when opened), then the open file itself, for a reader that streams
    a large file of dc's own (a cache) instead of holding all its bytes.  Raises
    :class:`Unreadable`."""
    fd, _info, _plain = _open_regular(path, root, limit)
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _open_regular(path: str | Path, root: Path | None, limit: int
                  ) -> tuple[int, os.stat_result, bool]:
    """An open descriptor of ``path``, its ``fstat`` and whether ``path`` was opened without
    a symlink's help, once it is known to be a regular file (reached without leaving
    ``root``) of at most ``limit`` bytes; else :class:`Unreadable`."""
    fd = _open_plain(path) if _NOFOLLOW else None
    plain = fd is not None
    if fd is None:
        fd, plain = _open_link(path, root)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_a_file()
        if info.st_size > limit:
            raise _too_large(limit)
    except OSError as exc:
        os.close(fd)
        raise _unreadable(exc) from exc
    except BaseException:
        os.close(fd)
        raise
    return fd, info, plain


def _unreadable(exc: BaseException) -> Unreadable:
    return Unreadable("unreadable", _("the file cannot be read: {e}").format(
        e=os_reason(exc)))


def _open_plain(path: str | Path) -> int | None:
    """Open ``path`` unless it is a symlink (then ``None``: the caller looks closer)."""
    try:
        return os.open(path, _FLAGS | _NOFOLLOW)
    except OSError as exc:
        if exc.errno in _LINK_ERRORS:
            return None
        raise _unreadable(exc) from exc
    except ValueError as exc:  # a NUL in the name
        raise _unreadable(exc) from exc


def _open_link(path: str | Path, root: Path | None) -> tuple[int, bool]:
    """Open ``path`` after ``lstat``: a symlink must lead to a regular file inside ``root``.
    Also says whether ``path`` was no symlink (always the case where ``O_NOFOLLOW`` is
    missing and every file comes this way)."""
    try:
        info = os.lstat(path)
        link = stat.S_ISLNK(info.st_mode)
        if link and root is not None and not inside(path, root):
            raise _outside()
        if link:
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise _not_a_file()
        # O_NONBLOCK: a FIFO swapped in after the stat above cannot block the open
        return os.open(path, _FLAGS if link else _FLAGS | _NOFOLLOW), not link
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise _unreadable(exc) from exc


def _not_a_file() -> Unreadable:
    return Unreadable("not-a-file", _("this is not a regular file (a folder, pipe or device); "
                                      "it is not read"),
                      _("a plain YAML text file"))


def _too_large(limit: int) -> Unreadable:
    return Unreadable("too-large", _("the file is larger than {n} KiB").format(n=limit // 1024),
                      _("one small record per file; keep photos and scans in evidence/"))
