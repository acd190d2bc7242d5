"""`init`: a new ledger's commented settings file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sessionlog.i18n import available
from sessionlog.model import CsvProfileName
from sessionlog.store import Ledger, ledger_zone

if TYPE_CHECKING:
    from sessionlog.app.sync import SetUp

SETTINGS_TEMPLATE = """\
# sessionlog ledger settings. Every key is optional; a missing key takes the value shown here.

# The ledger's time zone (IANA name). Times you type are read in it, and a session
# belongs to the month in which it started there. Without it: the machine's zone.
timezone = "{timezone}"

# The language of messages, help, tables and statements ({languages}); a user's own config and
# $SESSIONLOG_LANGUAGE override it for that user. Without it: the user's locale.
language = "{language}"

[billing]
currency = "EUR"
rate = "0.00"            # per hour, for customers without a rate of their own
increment = 1            # minutes; 1 = every started minute, 15 = quarter hours
rounding = "up"          # up | nearest | down, to the increment
minimum = 0              # minimum billed minutes per billable session
included_minutes = 0     # contract minutes per customer and month before charging
after_hours_factor = "1" # rate factor for sessions starting outside business hours

[business_hours]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "08:00"
end = "18:00"

[csv]
profile = "{profile}"           # en: RFC 4180, comma, decimal point; de: Excel/LibreOffice in German

[invoice]
pattern = "RE-{{year}}-{{seq:04d}}"   # {{year}}, {{month}}, {{customer}}, {{seq}}
first = 1                # the first sequence number of a year

[import]
merge_gap = "0m"         # merge imported connections to one partner at most this far apart

[import.supporters]      # user names in the tools' logs -> supporters
# khoerner = "Klaus Hörner"

[import.billing_states]  # TeamViewer API billing_state -> "billable" or a free reason
# NoBill = "goodwill"

# Column maps for `sessionlog import csv FILE --map-name NAME` (kimai and sessionlog are built in):
# [import.csv.rustdesk]
# start = "Start time"
# end = "End time"
# customer = "Remote ID"
# id = "Session ID"

[timer]
stale_after_hours = 10   # status, stop and check warn about a timer running longer

# Statements (`sessionlog statement`). VAT, in [billing] above:
#   vat_rate = "19"          # percent; statements then show net, VAT and gross
#   small_business = false   # true: no VAT, and the small-business note (§ 19 UStG) instead
# The letterhead; every key is optional, `logo` is a PNG, JPEG, GIF or SVG file in the ledger.
# [company]
# name = "Hörner IT-Service"
# address = "Lechstraße 12\\n86150 Augsburg"   # \\n between lines
# phone = "0821 4567-0"
# email = "service@hoerner-it.example"
# website = ""
# vat_id = "DE999999999"
# tax_number = ""
# bank = "Stadtsparkasse Augsburg"
# iban = "DE00 7205 0000 0000 0000 00"
# bic = "AUGSDE77XXX"
# logo = "logo.png"
# small_business_note = ""  # your own wording of the small-business note
"""


def init(ledger: Ledger, language: str = "en", profile: CsvProfileName = CsvProfileName.EN) -> Path:
    """Write sessionlog.toml with every setting and its default, in the machine's zone."""
    zone = ledger_zone(None)
    text = SETTINGS_TEMPLATE.format(
        timezone=getattr(zone, "key", "UTC"), language=language, profile=profile, languages=" | ".join(available())
    )
    return ledger.create_settings(text)


def init_git(
    ledger: Ledger,
    remote: str | None,
    supporter: str,
    language: str = "en",
    profile: CsvProfileName = CsvProfileName.EN,
) -> tuple[Path | None, SetUp]:
    """`init --git`: the settings file if there is none yet, then the ledger shared through git."""
    from sessionlog.app.sync import set_up
    from sessionlog.store import read_text

    written = init(ledger, language, profile) if read_text(ledger.layout.settings_file) is None else None
    return written, set_up(ledger, create=True, remote=remote, supporter=supporter)
