"""The one in-process cache of immutable answers: bounded per area, shared safely by threads."""

from __future__ import annotations

import threading

import pytest

from guidelines_app import cache


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_an_area_keeps_at_most_its_limit_and_forgets_the_least_recently_used():
    area: cache.Area[str] = cache.Area("test", 2)
    cache.put(area, "a", "A")
    cache.put(area, "b", "B")
    assert cache.get(area, "a") == "A"  # "a" is now the most recent
    cache.put(area, "c", "C")
    assert cache.size(area) == 2
    assert cache.get(area, "b") is None
    assert (cache.get(area, "a"), cache.get(area, "c")) == ("A", "C")


def test_lookup_computes_once_and_keeps_none_as_an_answer():
    area: cache.Area[int | None] = cache.Area("test", 8)
    calls: list[str] = []

    def compute() -> None:
        calls.append("x")

    assert cache.lookup(area, "blob", compute) is None
    assert cache.lookup(area, "blob", compute) is None
    assert calls == ["x"]


def test_areas_never_share_entries_even_with_the_same_name():
    first: cache.Area[str] = cache.Area("same", 4)
    second: cache.Area[str] = cache.Area("same", 4)
    cache.put(first, "key", "first")
    assert cache.get(second, "key") is None
    assert cache.get(second, "key", "default") == "default"


def test_clear_forgets_the_given_areas_or_everything():
    kept: cache.Area[int] = cache.Area("kept", 4)
    dropped: cache.Area[int] = cache.Area("dropped", 4)
    cache.put(kept, 1, 1)
    cache.put(dropped, 1, 1)
    cache.clear(dropped)
    assert (cache.get(kept, 1), cache.get(dropped, 1)) == (1, None)
    cache.clear()
    assert cache.size(kept) == 0


def test_an_area_needs_room_for_one_entry():
    with pytest.raises(ValueError, match="at least one"):
        cache.Area("empty", 0)


def test_threads_reading_and_writing_one_area_at_once_keep_it_consistent():
    area: cache.Area[int] = cache.Area("shared", 50)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(2_000):
                key = (n * 7 + i) % 120
                value = cache.lookup(area, key, lambda key=key: key * 2)
                assert value == key * 2
                if i % 3 == 0:
                    cache.put(area, key, key * 2)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.size(area) == 50


def test_a_commit_resolved_once_is_answered_from_the_cache_until_cleared(tmp_path):
    from guidelines_app.store import Author, ContentStore, StoreError

    store = ContentStore.create(
        tmp_path / "content.git", files={"a.md": b"a\n"}, author=Author("A", "a@example.org")
    )
    head = store.head()
    assert store.resolve("main") == head
    (tmp_path / "content.git" / "objects").rename(tmp_path / "objects-away")
    assert store.resolve(head) == head  # known: git is not asked
    cache.clear()
    with pytest.raises(StoreError):  # asked again, git cannot find it any more
        store.resolve(head)


def test_an_area_with_a_weight_budget_forgets_the_oldest_beyond_it_but_keeps_the_newest():
    area: cache.Area[bytes] = cache.Area("bytes", 100, max_weight=10, weigh=len)
    cache.put(area, "a", b"1234")
    cache.put(area, "b", b"1234")
    cache.put(area, "c", b"1234")  # 12 bytes: "a" goes
    assert (cache.get(area, "a"), cache.size(area)) == (None, 2)
    cache.put(area, "b", b"1")  # replacing an entry counts its new weight only
    cache.put(area, "d", b"12345")
    assert cache.size(area) == 3
    cache.put(area, "huge", b"x" * 50)  # heavier than the budget alone: kept, all else goes
    assert (cache.size(area), cache.get(area, "huge")) == (1, b"x" * 50)


def test_a_weight_budget_needs_a_way_to_weigh():
    with pytest.raises(ValueError, match="weigh"):
        cache.Area("bytes", 10, max_weight=10)
