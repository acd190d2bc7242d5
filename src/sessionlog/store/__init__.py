"""The only package that touches files: layout, lock, atomic writes, loading with problems."""

from sessionlog.store.files import read_text, remove, scratch_file, write_atomic
from sessionlog.store.ledger import Ledger, read_user_config
from sessionlog.store.validate import FileBroken, check, ensure_unlocked

__all__ = [
    "FileBroken",
    "Ledger",
    "check",
    "ensure_unlocked",
    "read_text",
    "read_user_config",
    "remove",
    "scratch_file",
    "write_atomic",
]
