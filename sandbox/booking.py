"""How each simulated Xero organisation books Square payouts, as the business set it up.

- `bank_feed`: the bank feed brings every payout into the checking account as a RECEIVE coded
  to the clearing account (what a bookkeeper does when coding each deposit line).
- `bank_transaction`: the feed line stays an unreconciled statement line, which is not a
  BankTransaction in Xero's API; the payout exists in Xero only once someone (Backbone) creates
  the RECEIVE/SPEND it is matched to.
- `square_balance`: the clearing account is itself a BANK account ("Square Balance") and each
  payout is a transfer from it to the checking account, created by whoever books the payout.

Configured per organisation in the simulator's own world: BACKBONE_SANDBOX_XERO_BOOKING, e.g.
"boutique=bank_transaction,studio=square_balance"; unnamed businesses use DEFAULT_BOOKING.
"""

from __future__ import annotations

import os

BANK_FEED, BANK_TRANSACTION, SQUARE_BALANCE = "bank_feed", "bank_transaction", "square_balance"
MODES = (BANK_FEED, BANK_TRANSACTION, SQUARE_BALANCE)
ENV = "BACKBONE_SANDBOX_XERO_BOOKING"
# Matches reference/businesses.csv `payout_deposits`: the demo's organisations use the feed.
DEFAULT_BOOKING: dict[str, str] = {"cafe": BANK_FEED, "boutique": BANK_FEED, "studio": BANK_FEED}


def parse(text: str | None, businesses: tuple[str, ...] | None = None) -> dict[str, str]:
    """`"boutique=bank_transaction"` over the defaults; a typo fails loudly, not silently."""
    modes = dict(DEFAULT_BOOKING)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        business, sep, mode = (s.strip() for s in part.partition("="))
        if not sep or mode not in MODES:
            raise ValueError(f"{ENV}: {part.strip()!r} is not business=one of {', '.join(MODES)}")
        if businesses is not None and business not in businesses:
            raise ValueError(f"{ENV}: unknown business {business!r}")
        modes[business] = mode
    return modes


def from_env(businesses: tuple[str, ...] | None = None) -> dict[str, str]:
    return parse(os.environ.get(ENV), businesses)
