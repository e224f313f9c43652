"""A proposal's name: barriers in the model's order and the main place of the members shown."""

from hub.proposals.naming import main_place, proposal_name

NAMES = {"employment": "Employment", "finance": "Finance", "entry": "Entry and recruitment"}


def test_barriers_in_the_model_order_and_the_place_most_members_name() -> None:
    name = proposal_name(["finance", "employment"], ["GM0599", "GM0599", "GM0363", None], NAMES)
    assert name == "Employment · Finance — Rotterdam"


def test_no_place_shown_means_no_place_in_the_name() -> None:
    assert proposal_name(["entry", "finance"], [None, None], NAMES) == (
        "Entry and recruitment · Finance"
    )


def test_a_tie_goes_to_the_first_by_name_and_unknown_barriers_come_last() -> None:
    assert main_place(["GM0599", "GM0384"]) == "GM0384"  # Diemen before Rotterdam
    assert main_place([]) is None
    assert proposal_name(["smuggling", "employment"], ["GM0384"], NAMES) == (
        "Employment · Smuggling — Diemen"
    )
