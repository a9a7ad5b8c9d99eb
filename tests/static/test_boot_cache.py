"""The start-up snapshot's layout in Cache Storage (static/boot-cache.mjs pack and unpack, run in Node): any memory
comes back byte for byte without its all-zero pages stored, and any other bytes, a corrupt or truncated entry
included, are refused with the layout's own error before Pyodide is handed anything."""

from __future__ import annotations

import base64
import shutil
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import ROOT
from tests.node_lines import NodeLines

PAGE = 65536


class Layout(NodeLines):
    def __init__(self) -> None:
        super().__init__(str(ROOT / "tests" / "snapshot_harness.mjs"), str(ROOT / "static" / "boot-cache.mjs"))

    def run(self, op: str, data: bytes) -> dict[str, Any]:
        return self.ask({"op": op, "data": base64.b64encode(data).decode()})


@pytest.fixture(scope="module")
def layout() -> Iterator[Layout]:
    assert shutil.which("node"), "Node is missing (the machine's Node 20 runs the layout here)"
    running = Layout()
    yield running
    running.close()


def memory_of(length: int, writes: dict[int, int]) -> bytes:
    memory = bytearray(length)
    for at, value in writes.items():
        memory[at % length] = value
    return bytes(memory)


memories = st.integers(min_value=1, max_value=5 * PAGE + 123).flatmap(
    lambda length: st.builds(
        memory_of,
        st.just(length),
        st.dictionaries(st.integers(min_value=0, max_value=length - 1), st.integers(1, 255), max_size=12),
    )
)


@pytest.mark.property
@given(memory=memories)
def test_any_memory_comes_back_whole_without_its_zero_pages(layout: Layout, memory: bytes) -> None:
    answer = layout.run("roundtrip", memory)
    assert answer["ok"] and answer["same"], answer
    pages = [memory[start : start + PAGE] for start in range(0, len(memory), PAGE)]
    kept = [page for page in pages if any(page)]
    assert answer["packed"] == 8 + 4 * len(kept) + sum(len(page) for page in kept)


def test_a_snapshot_sized_memory_keeps_only_what_is_not_zero(layout: Layout) -> None:
    memory = bytearray(31 * 2**20)
    memory[:100] = b"\x01" * 100
    memory[20 * 2**20] = 7
    answer = layout.run("roundtrip", bytes(memory))
    assert answer["ok"] and answer["same"]
    assert answer["packed"] == 8 + 4 * 2 + 2 * PAGE


def packed(length: int, pages: list[int], body: bytes) -> bytes:
    return struct.pack(f"<II{len(pages)}I", length, len(pages), *pages) + body


hostile = st.one_of(
    st.binary(max_size=64),
    st.builds(  # a header that claims anything, then some bytes
        packed,
        st.integers(0, 2**32 - 1),
        st.lists(st.integers(0, 2**32 - 1), max_size=4),
        st.binary(max_size=300),
    ),
    st.builds(  # near-valid: small memories whose page lists or bodies are slightly off
        packed,
        st.integers(0, 3 * PAGE),
        st.lists(st.integers(0, 4), max_size=4),
        st.binary(max_size=2 * PAGE + 10).map(lambda b: b[: len(b) // 2]),
    ),
)


@pytest.mark.property
@given(data=hostile)
def test_any_other_bytes_are_refused_by_the_layout_or_read_as_the_memory_they_describe(
    layout: Layout, data: bytes
) -> None:
    answer = layout.run("unpack", data)
    if not answer["ok"]:
        assert answer["error"].startswith("Error: snapshot: "), answer  # never a RangeError or a huge allocation
        return
    length, count = struct.unpack_from("<II", data)
    assert answer["length"] == length <= 2**30
    pages = struct.unpack_from(f"<{count}I", data, 8)
    assert list(pages) == sorted(set(pages))
    assert len(data) == 8 + 4 * count + sum(min(PAGE, length - page * PAGE) for page in pages)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        packed(10, [], b"") + b"x",  # trailing bytes
        packed(PAGE + 1, [1, 0], b"\x01" * (PAGE + 1)),  # pages out of order
        packed(PAGE + 1, [0, 0], b"\x01" * (2 * PAGE)),  # a page twice
        packed(PAGE, [1], b"\x01"),  # a page past the end
        packed(2**31, [], b""),  # more memory than a snapshot can be
        packed(2 * PAGE, [0], b"\x01" * 10),  # truncated
    ],
    # Short ids: pytest puts a test's id in PYTEST_CURRENT_TEST, and an id of 128 KiB of bytes made the environment
    # too large to start Node whenever this case happened to be the module's first (E2BIG).
    ids=["empty", "trailing", "out-of-order", "page-twice", "past-the-end", "too-much-memory", "truncated"],
)
def test_corrupt_or_truncated_entries_are_refused(layout: Layout, data: bytes) -> None:
    answer = layout.run("unpack", data)
    assert not answer["ok"] and answer["error"].startswith("Error: snapshot: "), answer


def test_a_snapshot_over_the_heap_pyodide_restores_is_never_kept_and_says_why(layout: Layout) -> None:
    fits = layout.ask({"op": "guard", "length": 31_457_280})
    assert fits == {"ok": True, "why": "", "limit": 31_457_280}  # 30 MiB: what pyodide/pyodide#6254 restores
    over = layout.ask({"op": "guard", "length": 31_457_280 + PAGE})
    assert over["ok"] and "31522816 bytes" in over["why"] and "pyodide/pyodide#6254" in over["why"]


def test_the_heap_is_what_follows_pyodide_s_snapshot_header(layout: Layout) -> None:
    # makeSnapshot's layout: u32 magic, u32 header length (16-aligned, JSON included), then the wasm heap.
    header = struct.pack("<IIII", 0x50594F44, 32, 5, 0) + b"{}   " + bytes(11)
    assert layout.run("heap", header + bytes(PAGE * 3))["heap"] == PAGE * 3
    assert layout.run("heap", struct.pack("<II", 1, 10**9))["heap"] == 8  # a header longer than it: all of it
