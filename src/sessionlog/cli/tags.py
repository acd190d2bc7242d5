"""`tags`: the tags in use with their counts, likely typos, and renaming one everywhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from sessionlog.cli.common import CustomerOpt, FormatOpt, Profile, SkipBroken, app_context, finish_incomplete
from sessionlog.cli.env import say, warn_line
from sessionlog.cli.listing import From, To
from sessionlog.cli.output import emit
from sessionlog.i18n import _
from sessionlog.render import Column, Format

COLUMNS = (
    Column("tag", "Tag"),
    Column("sessions", "Sitzungen", kind="int"),
    Column("worked", "Arbeitszeit", kind="duration"),
    Column("customers", "Kunden", kind="int"),
    Column("last", "Zuletzt", title="last used", kind="date"),
    Column("looks_like", "Ähnlich wie", title="looks like", kind="list", wraps=True),
)


def register(app: typer.Typer) -> None:
    app.command()(tags)


def tags(
    ctx: typer.Context,
    period: Annotated[
        str | None, typer.Argument(metavar="[PERIOD]", help="2024, 2024-03, last-month … (default: all time).")
    ] = None,
    from_: From = None,
    to: To = None,
    customer: CustomerOpt = None,
    rename: Annotated[
        tuple[str, str] | None,
        typer.Option("--rename", metavar="OLD NEW", help="Rename the tag OLD to NEW in every session of the period."),
    ] = None,
    fmt: FormatOpt = Format.TABLE,
    profile: Profile = None,
    skip_broken: SkipBroken = False,
) -> None:
    """The tags in use, most used first, with the ones that look like a typo of another.

    Example: sessionlog tags 2024; sessionlog tags --rename Druker drucker
    """
    from sessionlog.app import tags as workflow
    from sessionlog.app.listing import select_period
    from sessionlog.app.tags import shell_word
    from sessionlog.periods import period_between

    c = app_context(ctx)
    if period is None and from_ is None and to is None:
        chosen = period_between(None, None, c.now, c.tz)
    else:
        chosen = select_period(c, period, from_, to)
    if rename is not None:
        done = workflow.rename(c, rename[0], rename[1], chosen, customer)
        say(
            _("renamed the tag '{old}' to '{new}' in {count} session(s)").format(
                old=rename[0], new=rename[1], count=len(done.changed)
            )
        )
        if done.invoiced:
            ids = ", ".join(s.id for s in done.invoiced)
            say(
                f"warning: {len(done.invoiced)} invoiced session(s) keep '{rename[0]}': {ids} "
                f"(change one with: sessionlog edit ID --untag {shell_word(rename[0])} --tag {shell_word(rename[1])} "
                "--force)"
            )
        for s in done.running:
            warn_line(
                _("the running session {id} of {supporter} keeps '{tag}' until it is changed").format(
                    id=s.id, supporter=s.supporter, tag=rename[0]
                )
            )
        return
    found = workflow.in_use(c, chosen, customer, skip_broken=skip_broken)
    alike: dict[str, list[str]] = {}
    for a in found.alike:
        alike.setdefault(a.tag, []).append(a.like)
    rows = [
        {
            "tag": t.tag,
            "sessions": t.sessions,
            "worked": timedelta(seconds=t.seconds),
            "customers": t.customers,
            "last": t.last.astimezone(c.tz).date(),
            "looks_like": alike.get(t.tag, []),
        }
        for t in found.tags
    ]
    data = [
        {
            "tag": t.tag,
            "sessions": t.sessions,
            "net_seconds": t.seconds,
            "customers": t.customers,
            "last": t.last.astimezone(c.tz),
            "looks_like": alike.get(t.tag, []),
        }
        for t in found.tags
    ]
    emit(fmt, rows, COLUMNS, json_rows=data, profile=profile or c.ledger.settings.csv_profile)
    tagged = found.sessions - found.untagged
    say(
        f"{len(found.tags)} tag(s) on {tagged} of {found.sessions} session(s) ({found.period.label}); "
        f"{found.untagged} without a tag"
    )
    counts = {t.tag: t.sessions for t in found.tags}
    for a in found.alike:
        why = "differs only in case or spelling from" if a.same_letters else "looks like"
        say(
            f"hint: '{a.tag}' ({counts[a.tag]}) {why} '{a.like}' ({counts[a.like]}): "
            f"sessionlog tags --rename {shell_word(a.tag)} {shell_word(a.like)}"
        )
    finish_incomplete(found.skipped)
