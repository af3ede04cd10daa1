"""``dc calendar``'s output: the plan's dated items as an RFC 5545 calendar (``.ics``).

Only formats what :mod:`..report.deadlines` made.  Every event is all-day
(``DTSTART;VALUE=DATE``, ``DTEND`` the day after the last, as RFC 5545 counts), carries a
``VALARM`` that reminds ``remind`` days before, and a ``UID`` built from the item's stable
key, so importing the file again updates the events instead of adding them twice.
``DTSTAMP`` is the plan's issue day: the same plan gives the same bytes every run.  The
calendar names its time zone (``X-WR-TIMEZONE`` and a ``VTIMEZONE`` for Asia/Shanghai,
limited to the plan year, so the output does not depend on the system's time-zone tables'
history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n import _

if TYPE_CHECKING:
    from icalendar import Component, Event

    from ..planfile.plan import Plan
    from ..report.deadlines import DatedItem

TZID = "Asia/Shanghai"
UID_DOMAIN = "dianchang-cli"  # the right-hand side of every UID


def _stamp(plan: Plan) -> dt.datetime:
    day = plan.meta.issued or dt.date(plan.year, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _event(item: DatedItem, stamp: dt.datetime, remind: int) -> Event:
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", f"{item.key}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.start)
    event.add("dtend", item.end + dt.timedelta(days=1))
    event.add("summary", item.title)
    event.add("description", "\n".join(item.lines))
    if item.categories:
        event.add("categories", list(item.categories))
    event.add("transp", "TRANSPARENT")  # a due day does not make anyone busy
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.timedelta(days=-remind))
    alarm.add("description", _("In {n} days: {what}").format(n=remind, what=item.title)
              if remind else _("Today: {what}").format(what=item.title))
    event.add_component(alarm)
    return event


def _timezone(year: int) -> Component:
    """The ``VTIMEZONE`` of Asia/Shanghai for the plan year, from the system's time-zone
    tables; without them (a bare container), the fixed +08:00 China has kept since 1991."""
    from icalendar import Timezone, TimezoneStandard

    try:
        return Timezone.from_tzid(TZID, first_date=dt.date(year, 1, 1),
                                  last_date=dt.date(year + 1, 1, 1))
    except Exception:  # zoneinfo raises several kinds when it has no tables
        zone = Timezone()
        zone.add("tzid", TZID)
        standard = TimezoneStandard()
        standard.add("dtstart", dt.datetime(year, 1, 1))
        standard.add("tzname", "CST")
        standard.add("tzoffsetfrom", dt.timedelta(hours=8))
        standard.add("tzoffsetto", dt.timedelta(hours=8))
        zone.add_component(standard)
        return zone


def render_ics(plan: Plan, items: Sequence[DatedItem], remind: int = 3,
               unit_name: str | None = None) -> bytes:
    """The calendar of ``items`` as the bytes of an ``.ics`` file (CRLF line ends, lines
    folded at 75 octets, as RFC 5545 asks; icalendar does both)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//dianchang-cli//dc calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = _("{plan}: deadlines").format(plan=plan.meta.title)
    cal.add("x-wr-calname", f"{name}（{unit_name}）" if unit_name else name)
    cal.add("x-wr-timezone", TZID)
    cal.add_component(_timezone(plan.year))
    stamp = _stamp(plan)
    for item in items:
        cal.add_component(_event(item, stamp, remind))
    return cal.to_ical()  # type: ignore[no-any-return]
