"""PlaceOS's websocket frames (app.api.frames): whatever text arrives is a notify, an answer to a request, or
nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.frames import MOD_NOT_FOUND, Binding, Reply, exec_request, read_answer, read_frame


def test_a_notify_frame_is_its_binding_and_its_value() -> None:
    meta = {"sys": "sys-1", "mod": "Bookings", "index": 1, "name": "status"}
    frame = json.dumps({"type": "notify", "value": json.dumps("busy"), "meta": meta})
    assert read_frame(frame) == (Binding("sys-1", "Bookings", 1, "status"), "busy")
    assert read_answer(json.dumps({"id": 4, "type": "error", "code": 1})) == Reply(4, True, code=1)
    assert read_answer(json.dumps({"id": 5, "type": "success"})) == Reply(5, False)
    assert read_answer(json.dumps({"id": True, "type": "error"})) is None


def test_an_exec_is_answered_with_its_value_or_placeos_error_code() -> None:
    call = json.loads(exec_request(7, Binding("sys-1", "Bookings", 1, "book_now"), [1800, "Ad hoc"]))
    assert call == {
        "id": 7, "cmd": "exec", "sys": "sys-1", "mod": "Bookings", "index": 1, "name": "book_now",
        "args": [1800, "Ad hoc"],
    }  # fmt: skip
    assert read_answer(json.dumps({"id": 7, "type": "success", "value": "true"})) == Reply(7, False, True)
    refused = read_answer(json.dumps({"id": 8, "type": "error", "code": MOD_NOT_FOUND, "msg": "Bookings_2 missing"}))
    assert refused is not None and refused.describe() == "6 module not found: Bookings_2 missing"
    assert Reply(9, True, code=99).describe() == "99 error"
    assert Reply(9, True).describe() == "error"
    # A value that is not JSON text is kept as sent; a message is cut short.
    assert read_answer(json.dumps({"id": 1, "type": "success", "value": "{not json"})) == Reply(1, False, "{not json")
    long = read_answer(json.dumps({"id": 1, "type": "error", "msg": "x" * 5000}))
    assert long is not None and len(long.msg) == 500


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
            st.sampled_from(["id", "type", "code", "msg", "value"]),
            st.one_of(
                st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.sampled_from(["error", "success"])
            ),
        ).map(json.dumps),
    )
)
def test_any_frame_is_an_answer_to_a_request_id_or_nothing(frame: str) -> None:
    answered = read_answer(frame)
    if answered is not None:
        assert isinstance(answered.id, int) and not isinstance(answered.id, bool) and isinstance(answered.error, bool)
        assert answered.code is None or type(answered.code) is int
        assert isinstance(answered.msg, str) and isinstance(answered.describe(), str)
