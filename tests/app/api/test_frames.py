"""PlaceOS's websocket frames (app.api.frames): whatever text arrives is a notify, an answer to a request, or
nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.frames import Binding, read_answer, read_frame


def test_a_notify_frame_is_its_binding_and_its_value() -> None:
    meta = {"sys": "sys-1", "mod": "Bookings", "index": 1, "name": "status"}
    frame = json.dumps({"type": "notify", "value": json.dumps("busy"), "meta": meta})
    assert read_frame(frame) == (Binding("sys-1", "Bookings", 1, "status"), "busy")
    assert read_answer(json.dumps({"id": 4, "type": "error", "code": 1})) == (4, True)
    assert read_answer(json.dumps({"id": 5, "type": "success"})) == (5, False)
    assert read_answer(json.dumps({"id": True, "type": "error"})) is None


@pytest.mark.property
@given(
    st.one_of(
        st.text(max_size=100),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
            lambda c: st.one_of(
                st.lists(c, max_size=3),
                st.dictionaries(
                    st.sampled_from(["type", "value", "meta", "sys", "mod", "index", "name"]), c, max_size=5
                ),
            ),
            max_leaves=12,
        ).map(json.dumps),
        st.just('{"type": "notify", "value": "' + "[" * 5000 + '", "meta": {"sys": "s", "mod": "m", "name": "n"}}'),
    )
)
def test_any_frame_is_a_notify_or_nothing(frame: str) -> None:
    result = read_frame(frame)
    if result is not None:
        binding, _ = result
        assert isinstance(binding.sys, str) and isinstance(binding.index, int)


@pytest.mark.property
@given(
    st.one_of(
        st.text(max_size=100),
        st.dictionaries(
            st.sampled_from(["id", "type", "code"]),
            st.one_of(
                st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.sampled_from(["error", "success"])
            ),
        ).map(json.dumps),
    )
)
def test_any_frame_is_an_answer_to_a_request_id_or_nothing(frame: str) -> None:
    answered = read_answer(frame)
    if answered is not None:
        assert isinstance(answered[0], int) and not isinstance(answered[0], bool) and isinstance(answered[1], bool)
