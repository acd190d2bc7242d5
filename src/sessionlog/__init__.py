"""sessionlog: a command-line ledger of IT support sessions."""

__version__ = "0.1.0"
