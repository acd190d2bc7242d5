"""Settings: the ledger's sessionlog.toml, its time zone, and the per-user config file."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

from sessionlog.i18n import _
from sessionlog.model import Kind, SessionlogError, Settings
from sessionlog.store import codec, marks
from sessionlog.store.files import read_text
from sessionlog.store.validate import parse_file


def load_settings(path: Path) -> Settings:
    """The ledger settings in `path`; the defaults when the file does not exist."""
    text = read_text(path)
    if text is None:
        return Settings()
    raw = parse_file(path, text)
    if marks.CONFLICT in raw:
        raise SessionlogError(
            marks.conflict_problem(_("the settings"), "settings", raw[marks.CONFLICT], str(path), None)
        )
    try:
        return codec.settings_from_dict(raw)
    except codec.Invalid as exc:
        raise SessionlogError(str(exc), Kind.INVALID, path=path) from None


def ledger_zone(name: str | None) -> tzinfo:
    """The ledger's zone: `name` from sessionlog.toml, else the machine's zone, else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name is not None:
        try:
            return ZoneInfo(name)
        # ValueError: malformed keys like '../x'; OSError: a folder such as 'Europe'.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise SessionlogError(
                _("unknown timezone {name!r} in sessionlog.toml (use an IANA name, e.g. 'Europe/Berlin')").format(
                    name=name
                ),
                Kind.INVALID,
            ) from None

    import contextlib
    import warnings

    import tzlocal

    # tzlocal raises or warns on odd configurations (conflicting files, TZ=CET-1CEST);
    # any such failure just means "try the next source".
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")
        # Honours $TZ, then /etc/timezone, /etc/localtime, the Windows registry.
        local_name = tzlocal.get_localzone_name()
        if local_name:
            return ZoneInfo(local_name)
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")
        # A copied /etc/localtime has the rules but no name; its rules beat plain UTC.
        zone = tzlocal.get_localzone()
        if isinstance(zone, tzinfo):
            return zone
    return ZoneInfo("UTC")


def read_user_config(path: Path) -> dict[str, Any]:
    """Per-user settings (who am I, which ledger); empty when the file does not exist."""
    text = read_text(path)
    return parse_file(path, text) if text else {}
