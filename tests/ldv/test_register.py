"""The processing register: it loads, every audit action the code records is mapped, and every
purpose in force in the shipped covenants has an activity (issue 15, "Done when")."""

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from hub.covenants.loader import check_covenants, load_covenants
from hub.ldv.register import (
    KINDS,
    REGISTER_FILE,
    CovenantPurposes,
    RegisterInvalid,
    load_register,
    purposes_in_force,
)
from hub.paths import document_dir
from hub.subjects.models import REQUEST_KINDS

COVENANTS = document_dir("covenants")
HUB = Path(__file__).resolve().parents[2] / "hub"
ACTION = re.compile(r"[a-z][a-z-]*(\.[a-z][a-z_-]*)+")
# Dotted strings with an action's prefix that are not audit actions.
NOT_ACTIONS = {"digest.published": "the webhook message's event type"}
FILE_NAME = re.compile(r".*\.(html|json|css|js|svg|yaml|png)")
# Actions made from a prefix and a value at run time: the values each can take.
DYNAMIC = {
    "disclosure.": {"granted", "refused"},  # hub/proposals/disclosures.py: the item's new status
    "nightly.step.": {"failed", "interrupted"},  # hub/nightly/service.py: _failed(status=...)
    "proposal.": set(),  # hub/proposals/service.py: `_audit(session, ctx, "<action>", ...)`
    "subject-request.": set(REQUEST_KINDS),  # hub/subjects/service.py: the request's kind
}


@pytest.fixture(scope="module")
def register():  # type: ignore[no-untyped-def]
    return load_register(COVENANTS / REGISTER_FILE)


def _proposal_actions() -> set[str]:
    """The actions hub/proposals/service.py passes to its `_audit`, literally or via `action`."""
    tree = ast.parse((HUB / "proposals" / "service.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_audit":
            argument = node.args[2]
            if isinstance(argument, ast.Constant):
                found.add(argument.value)
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "action" for t in node.targets
        ):
            value = node.value
            choices = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            found |= {c.value for c in choices if isinstance(c, ast.Constant)}
    return found


def recorded_actions(prefixes: set[str]) -> tuple[set[str], set[str]]:
    """Every audit action the hub's code can record: (the actions, the dynamic prefixes)."""
    actions: set[str] = set()
    dynamic: set[str] = set()
    for path in HUB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if (
                    ACTION.fullmatch(node.value)
                    and not FILE_NAME.fullmatch(node.value)
                    and node.value.split(".")[0] in prefixes
                ):
                    actions.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if (
                    isinstance(head, ast.Constant)
                    and isinstance(head.value, str)
                    and head.value.endswith(".")
                    and head.value.split(".")[0] in prefixes
                ):
                    dynamic.add(head.value)
    actions -= NOT_ACTIONS.keys()
    for prefix in dynamic:
        values = DYNAMIC.get(prefix, set()) | (
            _proposal_actions() if prefix == "proposal." else set()
        )
        actions |= {prefix + v for v in values}
    return actions, dynamic


def test_the_shipped_register_loads_with_versioned_uris(register) -> None:  # type: ignore[no-untyped-def]
    uris = [a.uri for a in register.activities.values()]
    assert len(uris) == len(set(uris))
    assert all(re.fullmatch(rf"{re.escape(register.uri)}/[a-z.-]+/v\d+", u) for u in uris)
    assert set(register.subject_id_types) == {"bsn", "person", "document", "occurrence"}


def test_every_audit_action_the_code_records_has_a_mapping(register) -> None:  # type: ignore[no-untyped-def]
    prefixes = {a.split(".")[0] for a in register.actions} | {"subject-request"}
    actions, dynamic = recorded_actions(prefixes)
    # A new action built at run time needs its values listed above, or it is not checked.
    assert dynamic <= DYNAMIC.keys(), dynamic - DYNAMIC.keys()
    assert len(actions) > 30  # the scan finds the hub's actions, not nothing
    assert {"signal.created", "proposal.accepted", "disclosure.granted"} <= actions
    assert sorted(actions - register.actions.keys()) == []


def test_the_kinds_of_processing_the_issue_names_are_all_mapped(register) -> None:  # type: ignore[no-untyped-def]
    kinds = {m.kind for m in register.actions.values()}
    expected = {"post", "correction", "read", "disclosure", "lookup", "linking", "decision"}
    assert expected | {"export", "purge"} <= kinds
    assert kinds <= set(KINDS)
    # Actions that process personal data point at an activity or say where it comes from.
    for action, mapping in register.actions.items():
        if mapping.kind != "none":
            assert mapping.source in ("activity", "covenant", "reviewer", "purpose"), action


def test_every_purpose_in_force_in_the_demo_covenants_has_an_activity(register) -> None:  # type: ignore[no-untyped-def]
    covenants = load_covenants(COVENANTS)
    in_force = purposes_in_force(covenants, date.today())
    assert {c.id for c in in_force} == {"riec-liec", "emm-case-proposals", "enforcement-hit-lookup"}
    assert register.missing(in_force) == []
    # Each of them resolves as a disclosure under that covenant would.
    for covenant in in_force:
        for purpose in covenant.purposes:
            activity = register.activity_for(
                "signal.disclosed", purpose=purpose, covenant=(covenant.id, covenant.version)
            )
            assert activity is not None
            assert (activity.covenant, activity.purpose) == (covenant.id, purpose)


def test_a_missing_purpose_is_reported(register) -> None:  # type: ignore[no-untyped-def]
    draft = CovenantPurposes("riec-liec", 2, ("case-proposal",))
    assert register.missing([draft]) == ["riec-liec v2: case-proposal"]


def test_the_covenant_loader_does_not_read_the_register_folder() -> None:
    assert check_covenants(COVENANTS) == []
    assert "register" not in {c.id for c in load_covenants(COVENANTS)}


def test_a_malformed_register_is_refused(tmp_path: Path) -> None:
    shipped = (COVENANTS / REGISTER_FILE).read_text()
    broken = tmp_path / "register.yaml"
    broken.write_text(
        shipped.replace("signal.created: {kind: post,", "signal.created: {kind: poster,")
    )
    with pytest.raises(RegisterInvalid, match="unknown kind"):
        load_register(broken)
    broken.write_text(shipped.replace("    recipients: The EMM.\n", ""))
    with pytest.raises(RegisterInvalid, match="recipients"):
        load_register(broken)
