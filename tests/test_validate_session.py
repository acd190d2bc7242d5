"""The shortcut of validate_session for the usual record agrees with every check it skips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

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
