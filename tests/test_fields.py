from pipeline.kernel.fields import parse_spec, project


def test_allow_list_drops_everything_else_including_nested_and_in_lists():
    spec = parse_spec("id total_money.amount line_items.uid line_items.total_money")
    record = {
        "id": "o1",
        "note": "call Jane at 206-482-1937",
        "total_money": {"amount": 500, "currency": "USD"},
        "line_items": [{"uid": "a", "name": "x", "total_money": {"amount": 500}}],
        "customer": {"email": "jane@example.com"},
    }
    assert project(record, spec) == {
        "id": "o1",
        "total_money": {"amount": 500},
        "line_items": [{"uid": "a", "total_money": {"amount": 500}}],
    }


def test_missing_fields_are_simply_absent():
    assert project({"id": 1}, parse_spec("id a.b")) == {"id": 1}
