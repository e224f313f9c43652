"""The audit hash chain and its signed head, without a database (hub.audit.chain is pure)."""

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import KeySet, RSAKey

from hub.audit.chain import (
    CONTENT_FIELDS,
    GENESIS,
    HEAD_TYPE,
    Verdict,
    canonical,
    link,
    read_head,
    sign_head,
    verify,
)

Event = dict[str, Any]
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@cache
def hub_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "hub-test"}, private=True)


@cache
def other_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "intruder"}, private=True)


def public_keyset(*keys: RSAKey) -> KeySet:
    return KeySet([RSAKey.import_key(dict(k.as_dict(private=False))) for k in keys])


def build_chain(
    contents: list[Event], *, start_hash: str = GENESIS, start_seq: int = 1
) -> list[Event]:
    """Entries as the audit service writes them: seq, prev_hash and hash filled in."""
    chain, prev = [], start_hash
    for offset, content in enumerate(contents):
        event = {**content, "seq": start_seq + offset, "prev_hash": prev}
        event["hash"] = prev = link(prev, event)
        chain.append(event)
    return chain


def head_of(chain: list[Event]) -> tuple[int, str]:
    """The head as a verifier gets it: signed with the hub's key and read back."""
    last_seq, last_hash = (chain[-1]["seq"], chain[-1]["hash"]) if chain else (0, GENESIS)
    return read_head(sign_head(last_seq, last_hash, hub_key()), public_keyset(hub_key()))


def simple_contents(n: int) -> list[Event]:
    return [
        {
            "occurred_at": T0 + timedelta(seconds=i),
            "agency": "KMAR",
            "client_id": "kmar-app",
            "action": "signal.read",
            "object_type": "signal",
            "object_id": f"sig-{i}",
            "purpose": "case-proposal",
            "covenant_id": "emm-full",
            "covenant_version": 2,
            "rule_id": "r1",
            "level": "full",
            "detail": {"fields": ["indicators", "location"], "count": i},
        }
        for i in range(n)
    ]


# --- strategies --------------------------------------------------------------------------------

zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-9, minutes=-30))]
)
aware_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
details = st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=4)
optional_text = st.none() | st.text(max_size=16)
contents = st.fixed_dictionaries(
    {
        "occurred_at": aware_datetimes,
        "agency": st.sampled_from(["KMAR", "IND", "SZW", "POLITIE", "EMM", "RIEC-AA", "GM0363"]),
        "client_id": optional_text,
        "action": st.sampled_from(
            ["signal.read", "signal.create", "lookup.hit", "covenant.load", "purge", "ünïcødé.✓"]
        ),
        "object_type": st.sampled_from(["signal", "lookup", "covenant", "proposal"]),
        "object_id": optional_text,
        "purpose": st.none() | st.sampled_from(["case-proposal", "hit-lookup", "trend-report"]),
        "covenant_id": optional_text,
        "covenant_version": st.none() | st.integers(min_value=1, max_value=99),
        "rule_id": optional_text,
        "level": st.none() | st.sampled_from(["none", "hit", "summary", "pseudonymised", "full"]),
        "detail": details,
    }
)
chains = st.lists(contents, min_size=1, max_size=40).map(build_chain)


def different(draw: st.DrawFn, strategy: st.SearchStrategy[Any], old: Any) -> Any:
    """A value from `strategy` whose serialised form differs from `old`'s."""
    old_bytes = canonical({"detail": old})
    return draw(strategy.filter(lambda new: canonical({"detail": new}) != old_bytes))


def flip_hex(draw: st.DrawFn, value: str) -> str:
    i = draw(st.integers(min_value=0, max_value=len(value) - 1))
    return value[:i] + ("1" if value[i] == "0" else "0") + value[i + 1 :]


@st.composite
def tampered_value(draw: st.DrawFn, field: str, old: Any) -> Any:
    if field == "seq":
        return old + draw(st.integers(min_value=-3, max_value=3).filter(bool))
    if field in ("prev_hash", "hash"):
        return flip_hex(draw, old)
    if field == "occurred_at":
        return old + timedelta(microseconds=draw(st.integers(min_value=1, max_value=10**9)))
    if field == "covenant_version":
        return different(draw, st.none() | st.integers(min_value=0, max_value=100), old)
    if field == "detail":
        return different(draw, details, old)
    return different(draw, optional_text, old)


# --- building and verifying ----------------------------------------------------------------------


def test_a_built_chain_verifies() -> None:
    chain = build_chain(simple_contents(5))
    assert verify(chain) == Verdict(ok=True, checked=5, first_bad_seq=None, reason="")
    assert verify(chain, head=head_of(chain)).ok
    assert chain[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(chain))


def test_an_empty_log_verifies_against_an_empty_head() -> None:
    assert verify([], head=(0, GENESIS)) == Verdict(True, 0, None, "")
    assert verify([], head=(1, "a" * 64)).first_bad_seq == 1


def test_a_later_run_verifies_from_its_predecessor() -> None:
    chain = build_chain(simple_contents(10))
    assert verify(chain[4:], start_hash=chain[3]["hash"], start_seq=5).ok
    wrong_start = verify(chain[4:], start_hash=chain[2]["hash"], start_seq=5)
    assert (wrong_start.ok, wrong_start.first_bad_seq) == (False, 5)


def test_verify_streams_and_stops_at_the_first_problem() -> None:
    chain = build_chain(simple_contents(10))
    chain[2] = {**chain[2], "agency": "IND"}
    pulled: list[int] = []

    def entries() -> Iterator[Event]:
        for event in chain:
            pulled.append(event["seq"])
            yield event

    verdict = verify(entries())
    assert verdict == Verdict(
        False, 2, 3, "entry 3 was changed: its hash does not match its content"
    )
    assert pulled == [1, 2, 3]


@settings(max_examples=100, deadline=None)
@given(chain=chains)
def test_random_chains_verify_with_their_signed_head(chain: list[Event]) -> None:
    verdict = verify(iter(chain), head=head_of(chain))
    assert verdict == Verdict(True, len(chain), None, "")


@settings(max_examples=200, deadline=None)
@given(chain=chains, data=st.data())
def test_changing_any_field_of_one_entry_is_detected_there(
    chain: list[Event], data: st.DataObject
) -> None:
    head = head_of(chain)
    i = data.draw(st.integers(min_value=0, max_value=len(chain) - 1), label="entry index")
    field = data.draw(st.sampled_from([*CONTENT_FIELDS, "prev_hash", "hash"]), label="field")
    tampered = [dict(e) for e in chain]
    tampered[i][field] = data.draw(tampered_value(field, chain[i][field]), label="new value")

    verdict = verify(tampered, head=head)

    assert not verdict.ok
    assert verdict.first_bad_seq == i + 1, verdict.reason
    assert verdict.checked == i
    assert f"entry {i + 1} was changed" in verdict.reason
    if field == "seq":
        assert f"its seq reads {tampered[i]['seq']}" in verdict.reason


@settings(max_examples=200, deadline=None)
@given(chain=chains, data=st.data())
def test_deleting_one_entry_names_the_entry_after_the_gap(
    chain: list[Event], data: st.DataObject
) -> None:
    head = head_of(chain)
    i = data.draw(st.integers(min_value=0, max_value=len(chain) - 1), label="deleted index")
    remaining = chain[:i] + chain[i + 1 :]

    verdict = verify(remaining, head=head)

    assert not verdict.ok
    if i < len(chain) - 1:
        assert verdict.first_bad_seq == i + 2
        assert verdict.reason == f"entry {i + 1} is missing: seq jumps from {i} to {i + 2}"
    else:  # the newest entry: only the signed head can tell
        assert verdict.first_bad_seq == len(chain)
        assert "does not match the signed head" in verdict.reason
        assert verify(remaining).ok


@settings(max_examples=200, deadline=None)
@given(chain=chains.filter(lambda c: len(c) >= 2), data=st.data())
def test_swapping_two_adjacent_entries_names_the_first_of_the_pair(
    chain: list[Event], data: st.DataObject
) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(chain) - 2), label="swap index")
    swapped = list(chain)
    swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]

    verdict = verify(swapped, head=head_of(chain))

    assert not verdict.ok
    assert verdict.first_bad_seq == i + 1
    assert verdict.reason == f"entries {i + 1} and {i + 2} are out of order (swapped)"


@settings(max_examples=150, deadline=None)
@given(chain=chains, data=st.data())
def test_cutting_off_the_tail_is_caught_by_the_signed_head(
    chain: list[Event], data: st.DataObject
) -> None:
    head = head_of(chain)
    cut = data.draw(st.integers(min_value=1, max_value=len(chain)), label="entries cut")
    kept = chain[: len(chain) - cut]

    verdict = verify(kept, head=head)

    assert verify(kept).ok  # a shorter chain is still a valid chain ...
    assert not verdict.ok  # ... which only the signed head gives away
    assert verdict.first_bad_seq == len(kept) + 1
    assert verdict.checked == len(kept)
    assert verdict.reason == (
        f"the chain's last entry (seq {len(kept)}) "
        f"does not match the signed head (seq {len(chain)})"
    )


def test_a_rewritten_last_entry_with_a_valid_hash_is_caught_by_the_head() -> None:
    chain = build_chain(simple_contents(4))
    head = head_of(chain)
    forged = chain[:3] + build_chain(
        [{**chain[3], "level": "hit"}], start_hash=chain[2]["hash"], start_seq=4
    )
    assert verify(forged).ok
    verdict = verify(forged, head=head)
    assert (verdict.ok, verdict.first_bad_seq) == (False, 4)


def test_an_entry_moved_back_is_out_of_order() -> None:
    chain = build_chain(simple_contents(6))
    moved = [*chain[:4], chain[1], *chain[4:]]
    verdict = verify(moved)
    assert verdict == Verdict(False, 4, 2, "entry 2 is out of order: it follows entry 4")


# --- canonical form ------------------------------------------------------------------------------


def test_canonical_bytes_are_pinned() -> None:
    """Every stored hash depends on these exact bytes: changing the format breaks old chains."""
    event = {
        "seq": 7,
        "occurred_at": datetime(2025, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=1))),
        "agency": "GM0363",
        "action": "signal.read",
        "object_type": "signal",
        "detail": {"z": [1, 2.5], "a": "café"},
        "id": 99,
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }
    expected = (
        '{"action":"signal.read","agency":"GM0363","client_id":null,"covenant_id":null,'
        '"covenant_version":null,"detail":{"a":"café","z":[1,2.5]},"level":null,'
        '"object_id":null,"object_type":"signal","occurred_at":"2025-03-01T09:30:00.000000Z",'
        '"purpose":null,"rule_id":null,"seq":7}'
    ).encode()
    assert canonical(event) == expected
    digest = hashlib.sha256(b"0" * 64 + b"\n" + expected).hexdigest()
    assert link(GENESIS, event) == digest


def reorder(value: Any, flips: Iterator[bool]) -> Any:
    """The same JSON value with (some) dict keys inserted in reverse order, at every depth."""
    if isinstance(value, dict):
        items = [(k, reorder(v, flips)) for k, v in value.items()]
        return dict(reversed(items) if next(flips, True) else items)
    if isinstance(value, list):
        return [reorder(v, flips) for v in value]
    return value


@settings(max_examples=100, deadline=None)
@given(content=contents, flips=st.lists(st.booleans(), max_size=20), zone=zones)
def test_canonical_ignores_key_order_and_time_zone(
    content: Event, flips: list[bool], zone: Any
) -> None:
    same = reorder(content, iter(flips))
    same["occurred_at"] = content["occurred_at"].astimezone(zone)
    assert canonical(same) == canonical(content)
    assert canonical(same).decode("utf-8").endswith("}")


def test_canonical_counts_missing_keys_as_null_and_ignores_other_keys() -> None:
    base = {"seq": 1, "agency": "IND"}
    assert canonical(base) == canonical({**base, "purpose": None, "whatever": 1, "id": 5})
    assert canonical(base) != canonical({**base, "purpose": "hit-lookup"})


def test_canonical_refuses_ambiguous_or_foreign_values() -> None:
    with pytest.raises(ValueError, match="naive"):
        canonical({"occurred_at": datetime(2025, 1, 1, 12, 0)})
    with pytest.raises(TypeError):
        canonical({"detail": {"x": object()}})
    with pytest.raises(ValueError):
        canonical({"detail": {"x": float("nan")}})


def test_datetimes_inside_detail_are_normalised_too() -> None:
    utc = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    shifted = utc.astimezone(timezone(timedelta(hours=2)))
    assert canonical({"detail": {"at": utc}}) == canonical({"detail": {"at": shifted}})
    assert b'"2025-06-01T12:00:00.000000Z"' in canonical({"detail": {"at": shifted}})


# --- the signed head -----------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hand_made(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode('ascii')))}"


HEAD_PAYLOAD = {"seq": 41, "hash": "ab" * 32, "iat": 1_750_000_000}


def test_a_signed_head_reads_back_with_the_public_key() -> None:
    token = sign_head(41, "ab" * 32, hub_key())
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "RS256", "typ": HEAD_TYPE, "kid": "hub-test"}
    assert read_head(token, public_keyset(other_key(), hub_key())) == (41, "ab" * 32)


def test_a_head_signed_by_another_key_is_refused() -> None:
    token = sign_head(41, "ab" * 32, other_key())
    with pytest.raises(ValueError, match="signature"):
        read_head(token, public_keyset(hub_key()))


def test_a_head_signed_by_another_key_under_the_hubs_kid_is_refused() -> None:
    impostor = RSAKey.import_key({**other_key().as_dict(private=True), "kid": "hub-test"})
    token = sign_head(41, "ab" * 32, impostor)
    with pytest.raises(ValueError, match="signature"):
        read_head(token, public_keyset(hub_key()))


def test_a_changed_payload_breaks_the_signature() -> None:
    header, _, signature = sign_head(41, "ab" * 32, hub_key()).split(".")
    forged = f"{header}.{b64(json.dumps({**HEAD_PAYLOAD, 'seq': 40}).encode())}.{signature}"
    with pytest.raises(ValueError, match="signature"):
        read_head(forged, public_keyset(hub_key()))


def test_alg_none_is_refused() -> None:
    header = {"alg": "none", "typ": HEAD_TYPE, "kid": "hub-test"}
    token = hand_made(header, HEAD_PAYLOAD, lambda _: b"")
    with pytest.raises(ValueError, match="signature"):
        read_head(token, public_keyset(hub_key()))


def test_hs256_with_the_public_key_as_secret_is_refused() -> None:
    public = hub_key().as_pem(private=False)
    header = {"alg": "HS256", "typ": HEAD_TYPE, "kid": "hub-test"}
    token = hand_made(header, HEAD_PAYLOAD, lambda data: hmac.new(public, data, "sha256").digest())
    with pytest.raises(ValueError, match="signature"):
        read_head(token, public_keyset(hub_key()))


def test_another_rs256_token_of_the_hub_is_not_a_head() -> None:
    token = jws.serialize_compact(
        {"alg": "RS256", "typ": "at+jwt", "kid": "hub-test"},
        json.dumps(HEAD_PAYLOAD),
        hub_key(),
        algorithms=["RS256"],
    )
    with pytest.raises(ValueError, match="not an audit head"):
        read_head(token, public_keyset(hub_key()))


def test_garbage_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="audit head"):
        read_head("not.a-token", public_keyset(hub_key()))
