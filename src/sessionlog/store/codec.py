"""Records <-> TOML-native dicts. Reading reports problems as messages instead of raising."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sessionlog.i18n import available, said
from sessionlog.model import (
    BOUNDS,
    MAX_YEAR,
    MIN_YEAR,
    Billed,
    BusinessHours,
    Company,
    CsvProfileName,
    Customer,
    ImportSettings,
    Origin,
    Pause,
    Rounding,
    Session,
    SessionlogError,
    Settings,
    choice,
    parse_decimal,
    validate_session,
)

_E = TypeVar("_E", bound=StrEnum)

SESSION_KEYS = (
    "id", "start", "end", "pauses", "supporter", "contact", "machine", "channel", "note",
    "billable", "free_reason", "tags", "ticket", "invoice", "source", "billed", "unfinished",
)  # fmt: skip
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Invalid(Exception):
    """One field is wrong; the loader turns it into a Problem."""


def _aware(value: Any, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise Invalid(f"{name} must be a date-time with a UTC offset, like 2024-03-01T10:22:00+01:00")
    # Far years overflow when converted between zones; the parser refuses them when typed, too.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Invalid(f"{name}: the year {value.year} is out of range ({MIN_YEAR}-{MAX_YEAR})")
    return value


def _text(raw: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = raw.get(name, default)
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{name} must be a string")
    return value


def _decimal(value: Any, name: str) -> Decimal:
    try:
        return parse_decimal(value, name)
    except SessionlogError as exc:
        raise Invalid(exc.problem.message) from None


def _choice(kind: type[_E], value: Any, name: str) -> _E:
    try:
        return choice(kind, value, name)
    except SessionlogError as exc:
        raise Invalid(exc.problem.message) from None


def _date(value: Any, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise Invalid(f"{name} must be a date like 2024-04-02")
    return value


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} must be a whole number")
    return value


def _bounded(value: Any, bound: str, name: str) -> int:
    try:
        BOUNDS[bound].check(value, name)
    except SessionlogError as exc:
        raise Invalid(exc.problem.message) from None
    return int(value)


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{name} must be a list of strings")
    return tuple(value)


def session_from_dict(raw: Mapping[str, Any], customer: str, origin: Origin | None) -> Session:
    """A Session from a [[session]] table; Invalid names the first bad field."""
    sid = _text(raw, "id")
    if not sid:
        raise Invalid("id is missing")
    pauses: list[Pause] = []
    raw_pauses = raw.get("pauses", [])
    if not isinstance(raw_pauses, list):
        raise Invalid("pauses must be a list of { start, end } tables")
    for p in raw_pauses:
        if not isinstance(p, dict) or "start" not in p:
            raise Invalid("pauses must be a list of { start, end } tables")
        pauses.append(Pause(_aware(p["start"], "pause start"), _aware(p["end"], "pause end") if "end" in p else None))
    billable = raw.get("billable", True)
    if not isinstance(billable, bool):
        raise Invalid("billable must be true or false")
    unfinished = raw.get("unfinished", False)
    if not isinstance(unfinished, bool):
        raise Invalid("unfinished must be true or false")
    billed = None
    if "billed" in raw:
        b = raw["billed"]
        if not isinstance(b, dict):
            raise Invalid("billed must be a table")
        try:
            billed = Billed(
                _int(b["billed_minutes"], "billed.billed_minutes"),
                _int(b["included_minutes"], "billed.included_minutes"),
                _int(b["charged_minutes"], "billed.charged_minutes"),
                _decimal(b["rate"], "billed.rate"),
                _decimal(b["amount"], "billed.amount"),
                str(b["currency"]),
                _date(b["date"], "billed.date") if "date" in b else None,
            )
        except KeyError as exc:
            raise Invalid(f"billed lacks {exc.args[0]}") from None
    s = Session(
        id=sid,
        customer=customer,
        start=_aware(raw.get("start"), "start"),
        end=_aware(raw["end"], "end") if "end" in raw else None,
        pauses=tuple(pauses),
        supporter=_text(raw, "supporter", "") or "",
        contact=_text(raw, "contact"),
        machine=_text(raw, "machine"),
        channel=_text(raw, "channel", "remote") or "remote",
        note=_text(raw, "note", "") or "",
        billable=billable,
        free_reason=_text(raw, "free_reason"),
        tags=_strings(raw.get("tags", []), "tags"),
        ticket=_text(raw, "ticket"),
        invoice=_text(raw, "invoice"),
        source=_text(raw, "source"),
        billed=billed,
        unfinished=unfinished,
        origin=origin,
    )
    errors = validate_session(s, force=True)
    if errors:
        raise Invalid(said(errors[0]))
    return s


def session_to_dict(s: Session, *, with_customer: bool = False) -> dict[str, Any]:
    """The known fields in schema order; empty optional ones left out."""
    out: dict[str, Any] = {"id": s.id}
    if with_customer:
        out["customer"] = s.customer
    out["start"] = s.start
    if s.end is not None:
        out["end"] = s.end
    if s.unfinished:
        out["unfinished"] = True
    if s.pauses:
        out["pauses"] = [{"start": p.start, **({"end": p.end} if p.end else {})} for p in s.pauses]
    out["supporter"] = s.supporter
    for name in ("contact", "machine"):
        if getattr(s, name):
            out[name] = getattr(s, name)
    out["channel"] = s.channel
    out["note"] = s.note
    out["billable"] = s.billable
    if s.free_reason:
        out["free_reason"] = s.free_reason
    if s.tags:
        out["tags"] = list(s.tags)
    for name in ("ticket", "invoice", "source"):
        if getattr(s, name):
            out[name] = getattr(s, name)
    if s.billed:
        b = s.billed
        out["billed"] = {
            "billed_minutes": b.billed_minutes,
            "included_minutes": b.included_minutes,
            "charged_minutes": b.charged_minutes,
            "rate": str(b.rate),
            "amount": str(b.amount),
            "currency": b.currency,
        }
        if b.date is not None:
            out["billed"]["date"] = b.date
    return out


def merge_record(raw: Mapping[str, Any], new: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    """`new` over the raw record: keys a person added stay, known keys no longer set go."""
    out = {k: new.get(k, v) for k, v in raw.items() if k in new or k not in known}
    out.update({k: v for k, v in new.items() if k not in out})
    return out


CUSTOMER_KEYS = (
    "name", "rate", "increment", "rounding", "minimum", "included_minutes", "after_hours_factor", "currency",
    "remote_ids", "aliases", "contacts", "machines", "address", "customer_number",
)  # fmt: skip


def customer_from_dict(raw: Mapping[str, Any], key: str, origin: Origin | None) -> Customer:
    def opt_int(name: str) -> int | None:
        return None if name not in raw else _int(raw[name], name)

    def opt_dec(name: str) -> Decimal | None:
        return None if name not in raw else _decimal(raw[name], name)

    rounding = _text(raw, "rounding")
    return Customer(
        key=key,
        name=_text(raw, "name", "") or "",
        rate=opt_dec("rate"),
        increment=opt_int("increment"),
        rounding=None if rounding is None else _choice(Rounding, rounding, "rounding"),
        minimum=opt_int("minimum"),
        included_minutes=opt_int("included_minutes"),
        after_hours_factor=opt_dec("after_hours_factor"),
        currency=_text(raw, "currency"),
        remote_ids=_strings(raw.get("remote_ids", []), "remote_ids"),
        aliases=_strings(raw.get("aliases", []), "aliases"),
        contacts=_strings(raw.get("contacts", []), "contacts"),
        machines=_strings(raw.get("machines", []), "machines"),
        address=_text(raw, "address"),
        customer_number=_text(raw, "customer_number"),
        origin=origin,
    )


def customer_to_dict(c: Customer) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name}
    for name in ("rate", "after_hours_factor"):
        value = getattr(c, name)
        if value is not None:
            out[name] = str(value)
    for name in ("increment", "rounding", "minimum", "included_minutes", "currency", "address", "customer_number"):
        if getattr(c, name) is not None:
            out[name] = getattr(c, name)
    for name in ("remote_ids", "aliases", "contacts", "machines"):
        if getattr(c, name):
            out[name] = list(getattr(c, name))
    return out


def _clock(value: Any, name: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f'{name} must be a time like "08:00"') from None


def settings_from_dict(raw: Mapping[str, Any]) -> Settings:
    d = Settings()
    billing = raw.get("billing", {})
    hours = raw.get("business_hours", {})
    csv = raw.get("csv", {})
    invoice = raw.get("invoice", {})
    timer = raw.get("timer", {})
    company = raw.get("company", {})
    tables = (
        ("billing", billing), ("business_hours", hours), ("csv", csv), ("invoice", invoice), ("timer", timer),
        ("company", company),
    )  # fmt: skip
    for name, table in tables:
        if not isinstance(table, dict):
            raise Invalid(f"[{name}] must be a table")
    days = d.business_hours.days
    if "days" in hours:
        names = _strings(hours["days"], "business_hours.days")
        if not all(n.lower()[:3] in _DAYS for n in names):
            raise Invalid("business_hours.days takes day names like mon, tue, wed")
        days = frozenset(_DAYS.index(n.lower()[:3]) for n in names)
    rounding = _choice(Rounding, _text(billing, "rounding", d.rounding), "billing.rounding")
    profile_text = _text(csv, "profile")
    profile = _choice(CsvProfileName, profile_text, "csv.profile") if profile_text else None
    language = _text(raw, "language")
    if language is not None and language not in available():
        raise Invalid(f"language must be one of {', '.join(available())}, not {language!r}")
    pattern = _text(invoice, "pattern", d.invoice_pattern) or d.invoice_pattern
    if "{seq" not in pattern:
        raise Invalid("invoice.pattern must contain {seq}, e.g. RE-{year}-{seq:04d}")
    opens = _clock(hours.get("start", "08:00"), "business_hours.start")
    closes = _clock(hours.get("end", "18:00"), "business_hours.end")
    if closes <= opens:
        raise Invalid("business_hours.end must be after business_hours.start")
    vat_rate, small_business = _vat_rate(billing), _flag(billing, "small_business")
    if small_business and vat_rate:
        raise Invalid('billing.small_business = true charges no VAT: set billing.vat_rate = "0" or remove it')
    return Settings(
        timezone=_text(raw, "timezone"),
        currency=_text(billing, "currency", d.currency) or d.currency,
        rate=_decimal(billing.get("rate", "0"), "billing.rate"),
        increment=_int(billing.get("increment", d.increment), "billing.increment"),
        rounding=rounding,
        minimum=_int(billing.get("minimum", d.minimum), "billing.minimum"),
        included_minutes=_int(billing.get("included_minutes", 0), "billing.included_minutes"),
        after_hours_factor=_decimal(billing.get("after_hours_factor", "1"), "billing.after_hours_factor"),
        business_hours=BusinessHours(
            days=days,
            start=opens,
            end=closes,
        ),
        csv_profile=profile,
        language=language,
        invoice_pattern=pattern,
        invoice_first=_bounded(invoice.get("first", d.invoice_first), "invoice_first", "invoice.first"),
        stale_after_hours=_bounded(
            timer.get("stale_after_hours", d.stale_after_hours), "stale_after_hours", "timer.stale_after_hours"
        ),
        vat_rate=vat_rate,
        small_business=small_business,
        company=_company(company),
        importing=_import_settings(raw.get("import", {})),
    )


def _vat_rate(billing: Mapping[str, Any]) -> Decimal | None:
    if "vat_rate" not in billing:
        return None
    rate = _decimal(billing["vat_rate"], "billing.vat_rate")
    if not 0 <= rate < 100:
        raise Invalid('billing.vat_rate is a percentage from 0 to under 100, like "19"')
    return rate


def _flag(table: Mapping[str, Any], name: str) -> bool:
    value = table.get(name, False)
    if not isinstance(value, bool):
        raise Invalid(f"billing.{name} must be true or false")
    return value


def _company(raw: Mapping[str, Any]) -> Company:
    """The [company] table; unknown keys stay in the file and are ignored here."""
    fields = {}
    for name in Company.__dataclass_fields__:
        value = raw.get(name, "")
        if not isinstance(value, str):
            raise Invalid(f"company.{name} must be a string")
        fields[name] = value.strip()
    return Company(**fields)


def _import_settings(table: Any) -> ImportSettings:
    """`[import]`: merge_gap = "2m", and the tables supporters and billing_states (text -> text)."""
    if not isinstance(table, dict):
        raise Invalid("[import] must be a table")
    gap = ImportSettings().merge_gap
    if "merge_gap" in table:
        from sessionlog.timeparse import parse_gap

        value = table["merge_gap"]
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise Invalid('import.merge_gap must be a duration like "2m"')
        try:
            gap = parse_gap(str(value))
        except SessionlogError as exc:
            raise Invalid(f"import.merge_gap: {exc.problem.message}") from None
    pairs: dict[str, tuple[tuple[str, str], ...]] = {}
    for name in ("supporters", "billing_states"):
        sub = table.get(name, {})
        if not isinstance(sub, dict) or not all(isinstance(v, str) and v.strip() for v in sub.values()):
            raise Invalid(f'[import.{name}] must map names to text, like "khoerner" = "Klaus Hörner"')
        pairs[name] = tuple((k, v.strip()) for k, v in sub.items())
    return ImportSettings(gap, pairs["supporters"], pairs["billing_states"], _csv_maps(table.get("csv", {})))


def _csv_maps(table: Any) -> tuple[tuple[str, tuple[tuple[str, str | tuple[str, ...]], ...]], ...]:
    """`[import.csv.NAME]`: tables of text, lists of text or true/false; `import csv` checks the keys."""
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise Invalid('[import.csv.NAME] must be tables, like [import.csv.rustdesk] with start = "Start time"')
    maps = []
    for name, keys in table.items():
        items: list[tuple[str, str | tuple[str, ...]]] = []
        for key, value in keys.items():
            if isinstance(value, bool):
                items.append((key, "true" if value else "false"))
            elif isinstance(value, str):
                items.append((key, value))
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                items.append((key, tuple(value)))
            else:
                raise Invalid(f"import.csv.{name}.{key} must be a column name or a list of them")
        maps.append((name.strip().lower(), tuple(items)))
    return tuple(maps)
