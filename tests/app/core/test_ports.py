"""app.core.ports: the seams' own fallbacks, used where the browser has nothing better."""

from __future__ import annotations

from app.core.ports import MemoryStorage, run_alone


def test_memory_storage_is_a_store_of_strings() -> None:
    storage = MemoryStorage()
    storage.set("a", "1")
    storage.set("b", "2")
    storage.remove("a")
    storage.remove("never-set")
    assert storage.get("a") is None and storage.get("b") == "2" and storage.keys() == ["b"]


async def test_a_tab_alone_always_gets_the_lock_and_runs_the_work() -> None:
    ran: list[str] = []

    async def work() -> None:
        ran.append("ran")

    assert await run_alone("placeos-renewal", work) and ran == ["ran"]
