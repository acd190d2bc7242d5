"""The only package that touches files: layout, lock, atomic writes, loading with problems."""

from sessionlog.store.config import ledger_zone, read_user_config
from sessionlog.store.files import read_text, remove, scratch_file, write_atomic
from sessionlog.store.ledger import Ledger
from sessionlog.store.validate import check, ensure_unlocked

__all__ = [
    "Ledger",
    "check",
    "ensure_unlocked",
    "ledger_zone",
    "read_text",
    "read_user_config",
    "remove",
    "scratch_file",
    "write_atomic",
]
