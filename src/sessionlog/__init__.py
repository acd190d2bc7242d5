"""sessionlog: a command-line ledger of IT support sessions."""

from sessionlog.version import __version__ as __version__
