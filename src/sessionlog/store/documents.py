"""Files around documents made from the ledger: the ledger's own templates, images it names,
and the statements written out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sessionlog.i18n import _
from sessionlog.model import Kind, SessionlogError
from sessionlog.store.files import read_text, write_atomic
from sessionlog.store.layout import Layout

# Images a statement can embed, by the first bytes of the file: a logo from a file with a
# misleading name still gets the right type, and anything else is refused.
_IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
MAX_IMAGE = 2 * 1024 * 1024  # a logo larger than this bloats every statement


@dataclass(frozen=True)
class Template:
    text: str
    path: Path


@dataclass(frozen=True)
class Image:
    data: bytes
    mime: str
    path: Path


@dataclass(frozen=True)
class Documents:
    layout: Layout

    def template(self, name: str) -> Template | None:
        """The ledger's own `templates/NAME`, or None when it has none."""
        path = self.layout.templates_dir / name
        text = read_text(path)
        return None if text is None else Template(text, path)

    def image(self, name: str, setting: str) -> Image:
        """An image file named in the settings (relative to the ledger folder), checked to be one."""
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = self.layout.root / path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SessionlogError(
                _("{setting}: cannot read {path}: {value}").format(
                    setting=setting, path=path, value=exc.strerror or exc
                ),
                Kind.NOT_FOUND,
                path=self.layout.settings_file,
            ) from None
        if len(data) > MAX_IMAGE:
            raise SessionlogError(
                _("{setting}: {path} is over {value} MB; use a smaller image").format(
                    setting=setting, path=path, value=MAX_IMAGE // 1024 // 1024
                ),
                Kind.INVALID,
                path=self.layout.settings_file,
            )
        mime = next((m for magic, m in _IMAGE_TYPES if data.startswith(magic)), None)
        if mime is None and path.suffix.lower() == ".svg" and b"<svg" in data[:4096]:
            mime = "image/svg+xml"
        if mime is None:
            raise SessionlogError(
                _("{setting}: {path} is not a PNG, JPEG, GIF or SVG image").format(setting=setting, path=path),
                Kind.INVALID,
                path=self.layout.settings_file,
            )
        return Image(data, mime, path)

    def writable_folder(self, folder: Path) -> Path:
        """`folder`, created if missing; refused before anything is written when it cannot take files."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SessionlogError(
                _("cannot write to {folder}: {value}").format(folder=folder, value=exc.strerror or exc)
            ) from None
        if not folder.is_dir():
            raise SessionlogError(_("cannot write to {folder}: not a folder").format(folder=folder))
        if not os.access(folder, os.W_OK | os.X_OK):
            raise SessionlogError(_("cannot write to {folder}: permission denied").format(folder=folder))
        return folder

    def write(self, path: Path, data: bytes) -> None:
        """One document, written atomically: a reader sees the old file or the new one."""
        try:
            write_atomic(path, data)
            # The temp file behind an atomic write is private (0600); a document to send is not.
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(path, 0o666 & ~mask)
        except OSError as exc:
            raise SessionlogError(
                _("cannot write {path}: {value}").format(path=path, value=exc.strerror or exc)
            ) from None
