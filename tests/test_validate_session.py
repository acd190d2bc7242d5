"""validate_session's shortcut for the usual record, and the quick way an import builds records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionlog import model
from sessionlog.model import Pause, Session, validate_session

MINUTES = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
# Amsterdam's local mean time (+00:19:32) and an offset with microseconds: TOML cannot store them.
SECONDS = [timezone(timedelta(minutes=19, seconds=32)), timezone(timedelta(hours=1, microseconds=5))]
lengths = st.sampled_from([timedelta(hours=-1), timedelta(0), timedelta(minutes=12), timedelta(hours=24)])
FIELDS = ("start zone", "end zone", "end", "pauses", "supporter", "channel", "billing", "unfinished")


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    """Mostly usual records, of every length; a few fields (often none) otherwise."""
    odd = draw(st.sets(st.sampled_from(FIELDS), max_size=2))

    def pick(name: str, usual: list[Any], other: list[Any]) -> Any:
        return draw(st.sampled_from(other if name in odd else usual))

    start = datetime(2024, 3, 1, 10, tzinfo=pick("start zone", MINUTES, SECONDS))
    length = draw(lengths) + draw(st.sampled_from([timedelta(0), timedelta(seconds=1)]))
    end = (start + length).astimezone(pick("end zone", MINUTES, SECONDS)) if "end" not in odd else None
    pause = Pause(start + timedelta(minutes=2), start + timedelta(minutes=5))
    right, wrong = [(True, None), (False, "warranty")], [(True, "warranty"), (False, None), (False, "")]
    billable, reason = pick("billing", right, wrong)
    return Session(
        id="abcd",
        customer="acme",
        start=start,
        end=end,
        pauses=pick("pauses", [()], [(pause,), (Pause(start),)]),
        supporter=pick("supporter", ["Klaus"], [""]),
        channel=pick("channel", ["remote", "phone"], ["fax"]),
        billable=billable,
        free_reason=reason,
        unfinished=pick("unfinished", [False], [True]),
    )


@settings(max_examples=1000)  # cheap, and the wrong records are a small part of the space
@given(sessions(), st.booleans())
def test_the_usual_record_is_found_right_as_every_check_finds_it(s: Session, force: bool) -> None:
    quick = validate_session(s, force=force)
    usual = model._usual_and_right
    try:
        model._usual_and_right = lambda s, force: False  # every check, one by one
        full = validate_session(s, force=force)
    finally:
        model._usual_and_right = usual
    assert quick == full


names = st.none() | st.text(max_size=3)
moments = st.datetimes(timezones=st.sampled_from([UTC, ZoneInfo("Europe/Berlin"), *SECONDS]))


@given(
    moments,
    st.none() | moments,
    st.fixed_dictionaries(
        {},
        optional={
            "supporter": st.text(max_size=3),
            "contact": names,
            "machine": names,
            "channel": st.sampled_from(["remote", "fax"]),
            "note": st.text(max_size=3),
            "billable": st.booleans(),
            "free_reason": names,
            "tags": st.lists(st.text(max_size=3), max_size=2).map(tuple),
            "ticket": names,
            "source": names,
            "unfinished": st.booleans(),
        },
    ),
)
def test_a_session_built_quickly_is_the_session_the_dataclass_makes(
    start: datetime, end: datetime | None, given: dict[str, Any]
) -> None:
    quick = Session.built("abcd", "acme", start, end, **given)
    made = Session("abcd", "acme", start, end, **given)
    assert vars(quick) == vars(made)  # every field, none missing, times fixed the same way
    assert (quick.start.tzinfo, quick.end and quick.end.tzinfo) == (made.start.tzinfo, made.end and made.end.tzinfo)
    assert quick == made and hash(quick) == hash(made)
