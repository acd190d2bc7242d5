"""The language people read: which one, and its words from the message catalogs.

English is the source language: every message in the code is its own English text (the msgid).
Other languages are gettext catalogs, ``locale/<lang>/LC_MESSAGES/sessionlog.po``, compiled to
``.mo`` beside them (``pybabel compile -d src/sessionlog/locale -D sessionlog``; a test keeps the two
equal). Shipping the compiled file keeps a run free of Babel: stdlib ``gettext`` reads it in well
under a millisecond, so ``start``/``stop``/``status`` stay fast. A third language is one more
``.po``/``.mo`` pair, not a code change.

Which language: ``$SESSIONLOG_LANGUAGE``, else ``language`` in the user config, else ``language``
in the ledger's settings, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, ``LANGUAGE``,
then the system's, which on Windows is the UI language). The CLI decides once per run
(:func:`use`); until then the locale decides. Imports nothing of ours.
"""

from __future__ import annotations

import gettext as _gettext
import os
from enum import StrEnum
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "sessionlog"
SOURCE = "en"
ENV = "SESSIONLOG_LANGUAGE"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


class Language(StrEnum):
    """The languages the statement and insights pages are written in (their words are code)."""

    DE = "de"
    EN = "en"


def available() -> list[str]:
    """Every language there is a catalog for, and English."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return sorted(found | {SOURCE})


def _code(value: str) -> str:
    """'de_DE.UTF-8' -> 'de', 'German_Germany.1252' -> 'de'; '' for C/POSIX."""
    head = value.split(":")[0].split(".")[0].split("@")[0].split("_")[0].split("-")[0].strip().lower()
    if head in ("c", "posix"):
        return ""
    return {"german": "de", "deutsch": "de", "english": "en"}.get(head, head)


def from_locale() -> tuple[str, str]:
    """(language, why) from the environment's locale variables, else the system's locale."""
    for name in LOCALE_VARIABLES:
        value = os.environ.get(name)
        if value:
            code = _code(value)
            return (code if code in available() else SOURCE), f"{name}={value}"
    import locale

    system = locale.getlocale()[0] or ""  # on Windows e.g. 'German_Germany'
    code = _code(system)
    if code in available():
        return code, f"system locale {system}"
    return SOURCE, "no locale set" if not system else f"system locale {system}"


def resolve(user: object = None, ledger: object = None, *, given: str | None = None) -> tuple[str, str]:
    """(language, why): an option given, the environment override, the user config, the ledger, the locale.

    ValueError for a language there is no catalog for.
    """
    env = os.environ.get(ENV)
    candidates = ((given, "--language"), (env, f"{ENV}={env}"), (user, "user config"), (ledger, "ledger settings"))
    for value, why in candidates:
        if isinstance(value, str) and value:
            code = _code(value)
            if code not in available():
                choices = ", ".join(available())
                raise ValueError(f"language {value!r} ({why}): there is no catalog for it (choose {choices})")
            return code, why
    return from_locale()


_current: str | None = None


@cache
def _catalog(language: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, LOCALE_DIR, [language], fallback=True)


def use(language: str) -> None:
    """Speak `language` from now on in this process."""
    global _current
    _current = language


def current() -> str:
    """The language in use; the locale's until :func:`use` is called."""
    global _current
    if _current is None:
        _current = from_locale()[0]
    return _current


def _(message: str) -> str:
    """`message` in the current language (the English text where the catalog has none)."""
    language = current()
    return message if language == SOURCE else _catalog(language).gettext(message)


def said(message: str) -> str:
    """`message` in the current language: a model's `Said` by its template and values, any other text as it is."""
    template = getattr(message, "template", None)
    values = getattr(message, "values", None)
    if not isinstance(template, str) or not isinstance(values, dict):
        return message
    return _(template).format(**values)


def value_in(word: object, language: str) -> str:
    """`word` in `language`; the catalog holds values under the context "value", apart from messages."""
    return str(word) if language == SOURCE else _catalog(language).pgettext("value", str(word))


def canonical(word: str) -> str:
    """The English value a person typed in any language ('Garantie' -> 'warranty'); else `word` as typed."""
    folded = word.strip().casefold()
    for language in available():
        if language == SOURCE:
            continue
        messages: dict[object, str] = getattr(_catalog(language), "_catalog", {})
        for key, text in messages.items():
            if isinstance(key, str) and key.startswith("value\x04") and text.casefold() == folded:
                return key.removeprefix("value\x04")
    return word


def heading(text: str) -> str:
    """A table heading in the current language (context "heading")."""
    language = current()
    return text if language == SOURCE else _catalog(language).pgettext("heading", text)


def document_language(ledger: str | None, csv_profile: str | None) -> Language:
    """The language of documents for customers (statement, insights): the ledger's, not one person's.

    The ledger's `language`; a ledger from before that setting whose CSV profile is German writes
    German; else the language of this run. English where the documents have no words of that language.
    """
    for code in (ledger, "de" if csv_profile == "de" else None, current()):
        if code:
            try:
                return Language(code)
            except ValueError:
                return Language.EN
    return Language.EN
