"""The indented JSON writer gives exactly json.dumps's text, only faster."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionlog.jsontext import dumps
from sessionlog.render import _json_default

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.datetimes(timezones=st.just(UTC))
    | st.dates()
    | st.times()
)
keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=30
)


def reference(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_json_default, allow_nan=False)


@settings(max_examples=500, deadline=None)
@given(value=values)
def test_the_same_text_as_json_dumps(value: object) -> None:
    assert dumps(value, _json_default) == reference(value)


def test_a_row_as_list_writes_it() -> None:
    row = {
        "id": "abc",
        "start": datetime(2024, 3, 1, 10, 22, tzinfo=UTC),
        "amount": Decimal("22.50"),
        "tags": ["drucker", 'Grüße "zitiert"\n'],
        "free_seconds": {},
        "billable": True,
        "invoice": None,
        "day": date(2024, 3, 1),
        "at": time(10, 22),
    }
    assert dumps([row, {}], _json_default) == reference([row, {}])


@pytest.mark.parametrize("bad", [float("nan"), {float("inf"): 1}, timedelta(1), {(1, 2): 3}])
def test_what_json_refuses_it_refuses(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)) as mine:
        dumps(bad, _json_default)
    with pytest.raises((ValueError, TypeError)) as theirs:
        reference(bad)
    assert type(mine.value) is type(theirs.value)
