"""`report`: totals per group over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sessionlog.app import customers
from sessionlog.app.context import Context, warning
from sessionlog.app.listing import load, running_warning, running_warnings
from sessionlog.model import Problem
from sessionlog.periods import Period, month_period
from sessionlog.reports import Grouping, Row, summarize, totals
from sessionlog.tally import file_sums, instant_us, rules_key, tally


@dataclass(frozen=True)
class Report:
    period: Period
    by: Grouping
    rows: list[Row]
    totals: list[Row]  # one per currency
    warnings: list[Problem]


def report(ctx: Context, period: Period, by: Grouping, customer: str | None = None) -> Report:
    fast = _tallied(ctx, period, by, customer)
    if fast is not None:
        return fast
    view = load(ctx, period, customer)
    picked = [view.lines[s.id] for s in view.sessions if s.id in view.lines]
    warnings = view.warnings + running_warnings(view.sessions)
    return Report(period, by, summarize(picked, by, ctx.tz), totals(picked), warnings)


def _tallied(ctx: Context, period: Period, by: Grouping, customer: str | None) -> Report | None:
    """`report` from the sessions' figures in integers (sessionlog.tally), reading what `load`
    reads; None where only the Decimal path is exact. A month file that lies wholly in the
    period and was billed before under the same rules adds its kept sums (store/sums.py)."""
    ledger = ctx.ledger
    settings = ledger.settings
    keys = [customers.resolve(ledger, customer, create=False)[0]] if customer else None
    months = period.months() if period.end - period.start < timedelta(days=3700) else None
    found, broken = ledger.customers.all()
    span = (instant_us(period.start), instant_us(period.end))
    whole: dict[str, bool] = {}
    rules: dict[str, str | None] = {}

    def rules_for(key: str, month: str) -> str | None:
        if month not in whole:
            bounds = month_period(month, ctx.tz)
            whole[month] = span[0] <= instant_us(bounds.start) and instant_us(bounds.end) <= span[1]
        if not whole[month]:
            return None
        if key not in rules:
            rules[key] = rules_key(settings, found.get(key))
        return rules[key]

    kept, files, problems = ledger.sessions.summed(months, keys, by, rules_for)
    warnings = [warning(p, "skipped") for p in problems]
    running = [s for s in ledger.timers.all() if keys is None or s.customer in keys]
    warnings += [warning(p, "its sessions are billed at the ledger's default rules") for p in broken]
    result = tally(files, settings, found, by, span, taken={s.id for s in running}, summed=kept)
    if result is None:
        return None
    fresh = []
    for f in files:
        key = rules_for(f.customer, f.month)
        sums = None if key is None else file_sums(f, settings, found.get(f.customer), by)
        if key is not None and sums is not None:
            fresh.append((f.customer, f.month, key, sums))
    ledger.sessions.keep_sums(by, fresh)
    # As running_warnings: every session without an end that starts in the period, by start and id.
    open_ = [(r.start, r.id, r.supporter, r.customer) for r in result.running]
    open_ += [(int(s.start.timestamp()), s.id, s.supporter, s.customer) for s in running if s.start in period]
    warnings += [running_warning(sid, supporter, key) for _, sid, supporter, key in sorted(open_)]
    return Report(period, by, result.rows, result.totals, warnings)
