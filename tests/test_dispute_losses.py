"""A decided dispute's loss is posted once, on the day it was decided."""

from datetime import date

from pipeline.accounting.dispute_losses import DecidedDispute, losses_posted, losses_to_post
from pipeline.accounting.posting import Entry, JournalLine
from pipeline.accounting.settlement import DisputeMovement

D18, D21 = date(2026, 11, 18), date(2026, 11, 21)
LOST = DecidedDispute("dsp_1", "1010", 8900, decided_on=D18)


def _ids(moves):
    return [(m.dispute_id, m.amount, m.lost) for m in moves]


def test_a_loss_belongs_to_the_day_it_was_decided():
    assert _ids(losses_to_post(D18, [LOST], {})) == [("dsp_1", 8900, True)]
    assert losses_to_post(D21, [LOST], {}) == []


def test_a_later_touch_moving_updated_at_does_not_post_it_again():
    touched = DecidedDispute("dsp_1", "1010", 8900, decided_on=D21)
    assert losses_to_post(D21, [touched], {"dsp_1": D18}) == []


def test_a_posted_loss_stays_on_its_day():
    touched = DecidedDispute("dsp_1", "1010", 8900, decided_on=D21)
    assert _ids(losses_to_post(D18, [touched], {"dsp_1": D18})) == [("dsp_1", 8900, True)]


def test_losses_come_in_dispute_order():
    other = DecidedDispute("dsp_0", "1020", 1250, decided_on=D18)
    assert [m.dispute_id for m in losses_to_post(D18, [LOST, other], {})] == ["dsp_0", "dsp_1"]


def _chargeback(entry_id, location="LBTQSEA", activity=D18, kind="CHARGEBACK"):
    lines = [JournalLine("6150", 8900, 0, "Lost dsp_1"), JournalLine("1250", 0, 8900, "Lost dsp_1")]
    return Entry(entry_id, "boutique", location, D21, kind, "m", lines, activity_date=activity)


def test_the_loss_is_recorded_with_the_chargeback_entry_that_posts_it():
    moves = [
        DisputeMovement("dsp_1", "1010", 8900, lost=True),
        DisputeMovement("dsp_2", "1010", -4500),  # withheld, not a loss
    ]
    written = [
        _chargeback("LBTQSEA-2026-11-18-PAYOUT", kind="PAYOUT"),
        _chargeback("LBTQSEA-2026-11-18-CHARGEBACK-ADJ01"),  # a late loss: an adjustment
    ]
    (loss,) = losses_posted("boutique", "LBTQSEA", D18, moves, written)
    assert (loss.dispute_id, loss.entry_id, loss.activity_date) == (
        "dsp_1",
        "LBTQSEA-2026-11-18-CHARGEBACK-ADJ01",
        D18,
    )


def test_a_run_that_writes_no_chargeback_entry_records_nothing():
    moves = [DisputeMovement("dsp_1", "1010", 8900, lost=True)]
    other_location = [_chargeback("LBTQPDX-2026-11-18-CHARGEBACK", location="LBTQPDX")]
    assert losses_posted("boutique", "LBTQSEA", D18, moves, []) == []
    assert losses_posted("boutique", "LBTQSEA", D18, moves, other_location) == []
