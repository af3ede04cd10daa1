"""Where an imported record came from: a comment line under the modeline of its file.

``dc import`` writes, under the schema modeline of each new file::

    # 导入自 东苑5月台账.xlsx › 新时代文明实践志愿服务活动 › 第5行

so that a person opening the file sees its source, and so that importing the same workbook
again can tell a corrected row from a new one.  A row without an ``编号`` gets an id made
from its type, unit, date and name; once someone corrects the name or the date in the
sheet, the row makes another id, and without this line it would become a second record
beside the first (:meth:`~.importer.Importer` then matches it to the record this line
names, see there).

The line is always written in Chinese, whatever ``--lang`` says: it is read back.  It is
left out when the workbook's or sheet's name holds an ID-card or mobile number (the
record's comments are checked for them like its fields, :mod:`~..records.pii`), or holds
the separator ``›`` itself (it could not be read back for sure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import printable
from ..load.files import Unreadable, read_limited
from ..records.pii import find_in_text
from .rows import Where

PREFIX = "# 导入自 "
SEP = " › "
NAME_LIMIT = 120  # characters of a workbook's or sheet's name kept (escaped, as shown)
HEAD_BYTES = 4096  # a file's first bytes looked at for the line (it is the second line)
_LINE = re.compile(rf"{re.escape(PREFIX)}(?P<file>.+?){re.escape(SEP)}(?P<sheet>.+)"
                   rf"{re.escape(SEP)}第(?P<row>[0-9]{{1,9}})行")


@dataclass(frozen=True)
class Source:
    """A workbook (its file name), a sheet and a row (1-based), each as shown."""

    file: str
    sheet: str
    row: int

    @classmethod
    def of(cls, where: Where) -> Source | None:
        """The source of a row at ``where``; ``None`` when it has no sheet or row."""
        if where.sheet is None or where.row is None:
            return None
        return cls(_shown(where.file), _shown(where.sheet), where.row)

    def line(self) -> str | None:
        """The comment line naming this source, or ``None`` when it must not be written
        (resident data in a name, or a name that could not be read back)."""
        if SEP.strip() in self.file or SEP.strip() in self.sheet:
            return None
        text = f"{PREFIX}{self.file}{SEP}{self.sheet}{SEP}第{self.row}行"
        return text if find_in_text(text) is None else None  # names are escaped: one line


def _shown(name: str) -> str:
    return printable(name, NAME_LIMIT)


def of_text(text: str) -> Source | None:
    """The source named in the first lines of a record file's ``text``, if any."""
    for line in text.splitlines()[:3]:
        found = _LINE.fullmatch(line.rstrip())
        if found:
            return Source(found["file"], found["sheet"], int(found["row"]))
    return None


def of_file(path: Path, root: Path) -> Source | None:
    """The source named in the record file at ``path`` (inside ``root``), if any; ``None``
    for a file that cannot be read."""
    try:
        head = read_limited(path, root)[:HEAD_BYTES]
    except (Unreadable, OSError):
        return None
    return of_text(head.decode("utf-8", "replace"))
