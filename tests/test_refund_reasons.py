"""Which refund reason a return order posts with: the staff form's, else the POS text's."""

from pipeline.accounting.refund_reasons import (
    RefundReason,
    ReturnRefund,
    reason_for_pos_text,
    return_order_reasons,
)

# As reference/refund_reasons.csv ships them.
REASONS = [
    RefundReason("returned_goods", "Goods returned to stock", "4910", "Returned goods"),
    RefundReason("wrong_size", "Wrong size or fit", "4910", "Wrong size"),
    RefundReason("damaged", "Damaged or defective", "4910", "Damaged|Defective"),
    RefundReason("order_mistake", "Staff got the order wrong", "6200", "Order mistake"),
    RefundReason("goodwill", "Goodwill gesture (nothing returned)", "6200", ""),
    RefundReason("other", "Other (see note)", "4910", ""),
]


def _codes(chosen):
    return {key: reason.reason for key, reason in chosen.items()}


def test_the_pos_text_is_looked_up_in_pos_reasons_exactly():
    assert reason_for_pos_text("Defective", REASONS) == "damaged"
    assert reason_for_pos_text("Damaged", REASONS) == "damaged"
    assert reason_for_pos_text("defective", REASONS) is None  # exact text, as the POS sends it
    assert reason_for_pos_text("Damaged|Defective", REASONS) is None
    assert reason_for_pos_text("", REASONS) is None  # a blank pos_reasons covers nothing
    assert reason_for_pos_text(None, REASONS) is None


def test_two_reasons_claiming_one_pos_text_give_the_lowest_code():
    both = [*REASONS, RefundReason("broken", "Broken in transit", "6200", "Defective")]
    assert reason_for_pos_text("Defective", both) == "broken"


def test_the_pos_reason_maps_a_return_order_to_its_reason_and_account():
    chosen = return_order_reasons(
        [ReturnRefund("boutique", "ord_ret_1", "rf_A", "Wrong size")], REASONS
    )
    (reason,) = chosen.values()
    assert list(chosen) == [("boutique", "ord_ret_1")]
    assert (reason.label, reason.account_code) == ("Wrong size or fit", "4910")


def test_the_staff_form_overrides_the_pos_reason():
    chosen = return_order_reasons(
        [ReturnRefund("boutique", "ord_ret_1", "rf_A", "Wrong size", form_reason="order_mistake")],
        REASONS,
    )
    assert chosen[("boutique", "ord_ret_1")].account_code == "6200"


def test_an_unmapped_pos_reason_and_no_form_gives_no_reason():
    chosen = return_order_reasons(
        [ReturnRefund("boutique", "ord_ret_1", "rf_A", "Customer changed mind")], REASONS
    )
    assert chosen == {}


def test_a_form_reason_no_longer_in_the_reference_data_is_not_replaced_by_the_pos_text():
    chosen = return_order_reasons(
        [ReturnRefund("boutique", "ord_ret_1", "rf_A", "Wrong size", form_reason="retired")],
        REASONS,
    )
    assert chosen == {}


def test_one_reason_per_return_order_its_first_refund_that_has_one():
    refunds = [
        # Given out of order: the first refund is the lowest id.
        ReturnRefund("boutique", "ord_ret_1", "rf_C", "Damaged"),
        ReturnRefund("boutique", "ord_ret_1", "rf_B", "Wrong size"),
        ReturnRefund("boutique", "ord_ret_1", "rf_A", "Customer changed mind"),  # unmapped
        ReturnRefund("boutique", "ord_ret_2", "rf_D", "Returned goods"),
        ReturnRefund("boutique", "ord_ret_2", "rf_E", None, form_reason="goodwill"),
        # The same order id in another business is another order.
        ReturnRefund("cafe", "ord_ret_1", "rf_F", "Order mistake"),
    ]
    assert _codes(return_order_reasons(refunds, REASONS)) == {
        ("boutique", "ord_ret_1"): "wrong_size",
        ("boutique", "ord_ret_2"): "returned_goods",
        ("cafe", "ord_ret_1"): "order_mistake",
    }
