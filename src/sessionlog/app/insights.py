"""`insights`: the help-desk lead's page for a period, against the period before it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

import sessionlog.charts as charts
import sessionlog.insights as pure
from sessionlog.app import customers
from sessionlog.app.context import Context
from sessionlog.app.listing import gather, refuse_or_skip
from sessionlog.i18n import _
from sessionlog.model import MAX_YEAR, MIN_YEAR, Problem, Session, SessionlogError
from sessionlog.periods import Period
from sessionlog.textmatch import LookAlike, look_alikes
from sessionlog.timeparse import midnight

DEFAULT_WITHIN = timedelta(days=14)
MAX_WITHIN_DAYS = 366
_WITHIN = re.compile(r"^\s*(\d{1,4})\s*(d|day|days|t|tag|tage|w|week|weeks|woche|wochen)?\s*$", re.IGNORECASE)


def within_days(text: str) -> timedelta:
    """`--within`: days (`14d`, `14`, German `14t`) or weeks (`2w`), 1 to 366 days."""
    found = _WITHIN.match(text)
    if found is None:
        raise SessionlogError(_("--within must be days or weeks, like 14d or 2w, not {text!r}").format(text=text))
    number = int(found.group(1))
    days = number * 7 if (found.group(2) or "d").lower().startswith("w") else number
    if not 1 <= days <= MAX_WITHIN_DAYS:
        raise SessionlogError(
            _("--within must be from 1 to {MAX_WITHIN_DAYS} days, not {text!r}").format(
                MAX_WITHIN_DAYS=MAX_WITHIN_DAYS, text=text
            )
        )
    return timedelta(days=days)


@dataclass(frozen=True)
class Insights:
    period: Period
    current: Period  # the period up to the end of today: what the trend compares
    previous: Period | None  # the same span one period earlier; None for an open period
    within: timedelta
    sessions: list[Session]  # the finished sessions of the period
    chains: list[pure.Chain]
    rates: list[pure.RepeatRate]
    top: dict[str, pure.Top]  # customers, machines, tags
    now: pure.Figures
    before: pure.Figures
    trend: list[pure.Change]
    gaps: list[pure.Gap]
    months: list[charts.MonthBar]  # the twelve months up to the period's last (or this) month
    weekdays: list[int]
    hours: list[int]
    unattributed: int  # sessions with neither machine nor contact: nothing can come back to them
    skipped: list[Problem]  # left out with --skip-broken
    alike: list[LookAlike] = field(default_factory=list)  # tags that look like a typo of a more used one
    tag_counts: dict[str, int] = field(default_factory=dict)  # sessions per tag in the period


def insights(
    ctx: Context,
    period: Period,
    *,
    customer: str | None = None,
    within: timedelta = DEFAULT_WITHIN,
    top: int = 5,
    skip_broken: bool = False,
) -> Insights:
    """Repeat incidents, where the time goes, the trend and what is missing, for `period`.

    Like `report`, it refuses when anything it would count cannot be read, unless
    `skip_broken`. Free time is valued at each customer's rules, which must be readable.
    """
    if not 1 <= top <= 100:
        raise SessionlogError(_("--top must be from 1 to 100, not {top}").format(top=top))
    tz = ctx.tz
    current, previous = compared(period, ctx.now, tz)
    last = current.end.astimezone(tz) - timedelta(microseconds=1)
    chart_months = charts.months_back(last.year, last.month)
    first_chart = midnight(date.fromisoformat(f"{chart_months[0]}-01"), tz)
    lo = min(period.start, first_chart, previous.start if previous else period.start)
    span = Period(lo, period.end, "")
    keys = [customers.resolve(ctx.ledger, customer, create=False)[0]] if customer else None
    months = span.months() if span.end - span.start < timedelta(days=3700) else None
    g = gather(ctx, months, keys)
    skipped = refuse_or_skip(g.errors, skip_broken)
    done = [s for s in g.billable() if s.end is not None and not s.unfinished]
    here = [s for s in done if s.start in period]
    value = pure.FreeValue(ctx.ledger.settings, g.customers, tz)
    found = pure.chains(here, within)
    counts = dict(Counter(t for s in here for t in dict.fromkeys(s.tags)))
    hours = ctx.ledger.settings.business_hours
    now_figures = pure.figures((s for s in done if s.start in current), hours, tz)
    before = pure.figures((s for s in done if s.start in previous), hours, tz) if previous else pure.Figures()
    return Insights(
        period=period,
        current=current,
        previous=previous,
        within=within,
        sessions=here,
        chains=found,
        rates=pure.repeat_rates(here, found),
        top=pure.top(here, value, top),
        now=now_figures,
        before=before,
        trend=pure.trend(now_figures, before),
        gaps=pure.gaps(here),
        months=charts.per_month(done, chart_months, tz),
        weekdays=charts.per_weekday(here, tz),
        hours=charts.per_hour(here, tz),
        unattributed=sum(1 for s in here if pure.subject(s) is None),
        skipped=skipped,
        alike=look_alikes(counts),
        tag_counts=counts,
    )


# --- the period before ------------------------------------------------------------------------------


def compared(period: Period, now: datetime, tz: tzinfo) -> tuple[Period, Period | None]:
    """The part of `period` up to the end of today, and the same span one period earlier.

    A period of whole months (a month, a year, --from/--to on month bounds) steps back by its
    number of months, so March 2024 is compared with February and 1 January to 5 March 2024
    with 1 January to 5 March 2023; any other period steps back by its length in days (or,
    not on day bounds, in time). An open period (from the beginning of records) has no
    period before it.
    """
    tomorrow = midnight(now.astimezone(tz).date() + timedelta(days=1), tz)
    end = min(period.end, tomorrow) if period.start < tomorrow else period.end
    current = Period(period.start, end, label(period.start, end, tz))
    if period.start.astimezone(tz).year <= MIN_YEAR:
        return current, None
    # A period open at the end (--from alone) is as long as it is up to today.
    whole = current if period.end.astimezone(tz).year > MAX_YEAR else period
    first, whole_end = _day(whole.start, tz), _day(whole.end, tz)
    cut_end = _day(end, tz)
    if first is not None and whole_end is not None and cut_end is not None:
        if first.day == 1 and whole_end.day == 1:
            step = (whole_end.year - first.year) * 12 + whole_end.month - first.month
            back = (_months_before(first, step), _months_before(cut_end, step))
        else:
            days = (whole_end - first).days
            back = (first - timedelta(days=days), cut_end - timedelta(days=days))
        lo, hi = midnight(back[0], tz), midnight(back[1], tz)
    else:
        length = whole.end - whole.start
        lo, hi = period.start - length, end - length
    return current, Period(lo, hi, label(lo, hi, tz))


def _day(moment: datetime, tz: tzinfo) -> date | None:
    """The day `moment` is the midnight of, else None."""
    local = moment.astimezone(tz)
    return local.date() if midnight(local.date(), tz) == moment else None


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def label(start: datetime, end: datetime, tz: tzinfo) -> str:
    """A span as people name it: 2024-03, 2024, 2024-W10, 05.03.2024, or 01.01.2024 to 05.03.2024."""
    first, after = _day(start, tz), _day(end, tz)
    if first is None or after is None:
        return f"{start.astimezone(tz):%d.%m.%Y %H:%M} to {end.astimezone(tz):%d.%m.%Y %H:%M}"
    last = after - timedelta(days=1)
    if first.day == 1 and after.day == 1:
        if first.month == 1 and after.month == 1 and after.year == first.year + 1:
            return f"{first.year:04d}"
        if (after.year * 12 + after.month) - (first.year * 12 + first.month) == 1:
            return f"{first.year:04d}-{first.month:02d}"
    if first.weekday() == 0 and (after - first).days == 7:
        iso = first.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    if first == last:
        return f"{first:%d.%m.%Y}"
    return f"{first:%d.%m.%Y} to {last:%d.%m.%Y}"
