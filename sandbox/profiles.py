"""How each demo business trades: volumes, hours, basket shapes, tender mix, returns.

These are behavioural knobs (probabilities and weights), kept apart from world.py, which only holds
reference facts that must match the reference CSVs. Weights are floats; money never is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Card brands for CARD tenders that are not gift cards, with their share.
CARD_BRANDS: tuple[tuple[str, float], ...] = (
    ("VISA", 0.55),
    ("MASTERCARD", 0.25),
    ("AMERICAN_EXPRESS", 0.12),
    ("DISCOVER", 0.08),
)


@dataclass(frozen=True)
class SalesProfile:
    orders_per_day: dict[str, int]  # location id -> typical orders on an average day
    weekday_factor: tuple[float, ...]  # Monday .. Sunday multipliers
    open_hour: int
    close_hour: int
    hour_weights: tuple[float, ...]  # one weight per opening hour
    product_weights: dict[str, float]  # sku -> weight
    line_count_weights: tuple[float, ...]  # P(1 line), P(2 lines), ...
    quantity_weights: tuple[float, ...]  # P(qty 1), P(qty 2), ...
    # Tender kinds: CASH, CARD, WALLET, GIFT_CARD (a Square gift card is source_type CARD).
    tender_mix: tuple[tuple[str, float], ...]
    split_rate: float  # share of orders paid with two tenders
    tip_rate: float  # share of CARD payments carrying a tip
    tip_percents: tuple[int, ...] = (10, 15, 18, 20)
    customer_rate: float = 0.35  # share of orders carrying a customer_id
    loyalty_discount_rate: float = 0.0  # P(10% loyalty reward | customer with loyalty id)
    modifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sku -> modifier ids
    modifier_rate: float = 0.0
    offline_rate: float = 0.0  # offline orders arrive 1-72 h after they were taken
    return_rate: float = 0.0
    return_delay_days: tuple[int, int] = (0, 0)  # inclusive range of days after the sale
    partial_return_rate: float = 0.0
    return_reasons: tuple[str, ...] = ("Returned goods",)
    home_location_affinity: float = 1.0  # how strongly customers shop at their home store

    @property
    def max_spill_days(self) -> int:
        """How many business days after its own day a record generated for a day can land on.

        Offline arrivals (72 h) can cross three midnights; returns land up to the max delay.
        Queries look back this far so lazily generated days still answer time-range filters.
        """
        offline = 4 if self.offline_rate else 0
        return max(offline, self.return_delay_days[1])


_DRINK_MODIFIERS: tuple[str, ...] = ("MOD-OAT-MILK", "MOD-EXTRA-SHOT", "MOD-VANILLA-SYRUP")

PROFILES: dict[str, SalesProfile] = {
    "cafe": SalesProfile(
        orders_per_day={"LCAFE01": 292},
        weekday_factor=(0.92, 0.92, 0.95, 0.97, 1.05, 1.22, 1.15),
        open_hour=7,
        close_hour=18,
        hour_weights=(10, 14, 12, 8, 7, 10, 9, 6, 6, 5, 4),
        product_weights={
            "CAF-ESP": 7,
            "CAF-LAT-12": 14,
            "CAF-LAT-16": 10,
            "CAF-CAP": 9,
            "CAF-DRP-12": 12,
            "CAF-CHAI": 6,
            "CAF-CRS": 9,
            "CAF-MUF": 7,
            "CAF-SAN": 6,
            "CAF-BEAN": 1.2,
            "CAF-GC25": 0.25,
            "CAF-CC": 5,
        },
        line_count_weights=(0.52, 0.3, 0.13, 0.05),
        quantity_weights=(0.9, 0.08, 0.02),
        tender_mix=(("CASH", 0.15), ("CARD", 0.65), ("WALLET", 0.12), ("GIFT_CARD", 0.05)),
        split_rate=0.03,
        tip_rate=0.40,
        customer_rate=0.35,
        loyalty_discount_rate=0.15,
        modifiers={
            sku: _DRINK_MODIFIERS
            for sku in ("CAF-ESP", "CAF-LAT-12", "CAF-LAT-16", "CAF-CAP", "CAF-CHAI")
        },
        modifier_rate=0.3,
        offline_rate=0.03,
        return_rate=0.01,
        return_delay_days=(0, 1),
        return_reasons=("Order mistake", "Returned goods"),
    ),
    "boutique": SalesProfile(
        orders_per_day={"LBTQSEA": 34, "LBTQPDX": 24},
        weekday_factor=(0.8, 0.8, 0.9, 0.95, 1.1, 1.35, 1.1),
        open_hour=10,
        close_hour=19,
        hour_weights=(5, 7, 9, 10, 10, 9, 8, 8, 6),
        product_weights={
            "BTQ-TEE-S": 4,
            "BTQ-TEE-M": 6,
            "BTQ-TEE-L": 4,
            "BTQ-DRS-S": 2,
            "BTQ-DRS-M": 3,
            "BTQ-DRS-L": 2,
            "BTQ-SCF": 3,
            "BTQ-TOTE": 4,
            "BTQ-CNDL": 5,
            "BTQ-GC50": 0.5,
        },
        line_count_weights=(0.6, 0.28, 0.12),
        quantity_weights=(0.92, 0.08),
        tender_mix=(("CARD", 0.83), ("WALLET", 0.10), ("GIFT_CARD", 0.05)),
        split_rate=0.02,
        tip_rate=0.0,
        customer_rate=0.5,
        return_rate=0.06,
        return_delay_days=(1, 10),
        partial_return_rate=0.35,
        return_reasons=("Wrong size", "Returned goods", "Damaged"),
        home_location_affinity=6.0,
    ),
    "studio": SalesProfile(
        orders_per_day={"LSTUDIO": 12},
        weekday_factor=(1.1, 1.05, 1.05, 1.0, 0.85, 1.0, 0.95),
        open_hour=6,
        close_hour=21,
        hour_weights=(8, 9, 5, 3, 3, 4, 5, 3, 3, 3, 6, 9, 9, 6, 3),
        product_weights={
            "STU-DROP": 45,
            "STU-10PK": 12,
            "STU-PT60": 8,
            "STU-MAT": 20,
            "STU-WATER": 15,
            "STU-CLASSMAT": 10,
        },
        line_count_weights=(0.75, 0.25),
        quantity_weights=(0.95, 0.05),
        tender_mix=(("CARD", 0.88), ("WALLET", 0.12)),
        split_rate=0.0,
        tip_rate=0.10,
        customer_rate=0.8,
    ),
}
