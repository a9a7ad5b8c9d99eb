"""app.api.answers: PlaceOS's answers read strictly (JSON, an error's words, paging); anything else is an
UnexpectedAnswer, never a crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.answers import json_or_none, page_of, placeos_says
from app.core.errors import UnexpectedAnswer
from app.core.ports import HttpResponse


def test_a_page_reads_either_shape_and_the_next_link() -> None:
    bare = HttpResponse(200, {"x-total-count": "45", "link": '</api/engine/v2/zones?offset=20>; rel="next"'}, "[{}]")
    page = page_of(bare, 0, 20, "zones")
    assert (page.total, page.next_url) == (45, "/api/engine/v2/zones?offset=20")
    legacy = page_of(HttpResponse(200, {}, json.dumps({"total": 3, "results": [{"id": "a"}]})), 0, 20)
    assert legacy.items == [{"id": "a"}] and legacy.total == 3 and legacy.next_url is None
    with pytest.raises(UnexpectedAnswer):
        page_of(HttpResponse(200, {}, '{"results": "no"}'), 0, 20)


def test_an_empty_answer_is_none_and_placeos_s_words_are_its_error_or_message() -> None:
    assert json_or_none(HttpResponse(202, {}, "")) is None and json_or_none(HttpResponse(200, {}, "[1]")) == [1]
    assert placeos_says(HttpResponse(404, {}, '{"error": "system \'x\' not found"}')) == "system 'x' not found"
    assert placeos_says(HttpResponse(422, {}, '{"message": "bad"}')) == "bad"
    assert placeos_says(HttpResponse(403, {}, "")) == "" and placeos_says(HttpResponse(500, {}, "<html>")) == ""


@pytest.mark.property
@given(
    st.one_of(
        st.text(max_size=300),
        st.dictionaries(
            st.sampled_from(["error", "message"]), st.one_of(st.text(max_size=500), st.integers(), st.none())
        ).map(json.dumps),
    )
)
def test_any_error_body_gives_short_words_or_none(body: str) -> None:
    said = placeos_says(HttpResponse(400, {}, body))
    assert isinstance(said, str) and len(said) <= 200
