"""app.ui.links: addresses from API data, safe in an href and wrapped where a reader expects."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.ui.elements import El
from app.ui.links import breakable, mail_href


def test_mailto_only_for_one_plain_address() -> None:
    assert mail_href("a.b+c@rooms.example.com") == "mailto:a.b+c@rooms.example.com"
    for bad in ("a@b", "a@b.com,c@d.com", "a@b.com?cc=x@y.com", "javascript:x@y.com", "a b@c.com", "", None, "@x.com"):
        assert mail_href(bad) is None, bad


@given(st.text(max_size=80))
def test_no_generated_text_makes_a_mailto_with_more_than_one_address_or_a_header(text: str) -> None:
    href = mail_href(text)
    if href is not None:
        address = href.removeprefix("mailto:")
        assert address.count("@") == 1 and "?" not in address and "," not in address and "%" not in text


@given(st.text(max_size=80))
def test_an_address_wraps_only_at_its_own_punctuation_and_reads_the_same(text: str) -> None:
    parts = breakable(text)
    assert "".join(p for p in parts if isinstance(p, str)) == text
    breaks = [i for i, p in enumerate(parts) if isinstance(p, El)]
    assert all(isinstance(parts[i], El) and parts[i].tag == "wbr" for i in breaks)
    assert all(0 < i < len(parts) - 1 for i in breaks)  # never first or last, never two together
    assert all(not isinstance(parts[i + 1], El) for i in breaks)


def test_an_email_breaks_after_its_at_and_dots_not_inside_its_words() -> None:
    parts = breakable("facilities.team@placeos.example.com")
    words = ["|" if isinstance(p, El) else p for p in parts]
    assert "".join(str(w) for w in words) == "facilities.|team@|placeos.|example.|com"
