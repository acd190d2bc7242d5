"""The only package that touches files: layout, lock, atomic writes, loading with problems."""

from sessionlog.store.files import read_text, remove, scratch_file, write_atomic
from sessionlog.store.ledger import FileBroken, Ledger, check, ensure_unlocked, read_user_config

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
