"""The input screen: a document passes its quick check exactly when the full walk, which names
every problem with its pointer, finds none."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.kit.screening import _decode, _fits, _walk, screen_json
from hub.limits import MAX_INTEGER, MAX_JSON_DEPTH

# Text with the characters that matter: layout characters, other controls, surrogates' stand-ins.
TEXT = st.text(alphabet=st.sampled_from(["a", "é", " ", "\n", "\t", "\r", "\x00", "\x1f", "\x85"]))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


def nested(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_the_quick_check_agrees_with_the_walk(document: Any) -> None:
    parsed, refused = _decode(json.dumps(document).encode())
    assert refused is None
    assert _fits(parsed) == (not _walk(parsed, []))


def test_each_kind_of_problem_fails_the_quick_check() -> None:
    for document in (
        {"summary": "line one\nline two\ttabbed"},
        nested(MAX_JSON_DEPTH, "deep but allowed"),
        nested(MAX_JSON_DEPTH, []),
    ):
        assert _fits(document) and screen_json(json.dumps(document).encode()) == []
    for document in (
        {"summary": "a\x00b"},
        {"key\nwith a newline": 1},
        [{"n": MAX_INTEGER + 1}],
        nested(MAX_JSON_DEPTH + 1, "one level too deep"),
        nested(MAX_JSON_DEPTH, [1]),
    ):
        parsed, _ = _decode(json.dumps(document).encode())
        assert not _fits(parsed)
        assert screen_json(json.dumps(document).encode()), document
