"""Record ids: short, random, easy to read aloud; a test seed makes them repeatable."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sessionlog.store import fixedids

ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1/o/0 to misread
ID_LENGTH = 8  # 40 bits: a 100 000-session ledger has a 0.5 % chance of any collision at all


def new_id(taken: Iterable[str]) -> str:
    import secrets  # only new records need it

    used = set(taken)
    seed = fixedids.seed()
    if seed is not None:
        return next(c for c in fixedids.sequence(seed, ID_ALPHABET, ID_LENGTH) if c not in used)
    while True:
        candidate = "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))
        if candidate not in used:
            return candidate


def random_id() -> str:
    """A new random id; 32 letters, so each byte's low five bits pick one without bias."""
    return next(random_ids())


def random_ids() -> Iterator[str]:
    """`random_id` again and again, the test seed looked up once (an import draws 100 000)."""
    seed = fixedids.seed()
    while seed is not None:
        fixed = next(c for c in fixedids.sequence(f"{seed}/draft", ID_ALPHABET, ID_LENGTH) if c not in fixedids.drawn)
        fixedids.drawn.add(fixed)
        yield fixed
    while True:
        if len(_RANDOM) < ID_LENGTH:
            import secrets  # only new records need it

            _RANDOM.extend(secrets.token_bytes(ID_LENGTH * 1024))
        drawn = _RANDOM[-ID_LENGTH:]
        del _RANDOM[-ID_LENGTH:]
        yield drawn.translate(_LETTERS).decode("ascii")


# Random bytes drawn ahead for `random_id`: one system call per 1 024 ids, not one each (an
# import draws an id per connection, and each getrandom call cost 10 µs or more here).
_RANDOM = bytearray()
# Each byte to its letter by its low five bits, as ID_ALPHABET[b & 31].
_LETTERS = bytes(ord(ID_ALPHABET[b & 31]) for b in range(256))
