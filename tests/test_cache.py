"""The result cache: keys, atomic writes, corrupt entries."""

import json

import pytest

from answerkey import cache


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ANSWERKEY_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_stored_entry_loads_back():
    cache.store("ns", "k1", {"a": [1, 2.5]})
    assert cache.load("ns", "k1") == {"a": [1, 2.5]}


def test_missing_entry_is_none():
    assert cache.load("ns", "absent") is None


def test_corrupt_entry_is_detected_and_removed():
    cache.store("ns", "k2", {"a": 1})
    path = cache.entry_path("ns", "k2")
    record = json.loads(path.read_text())
    record["payload"]["a"] = 2  # the checksum no longer matches
    path.write_text(json.dumps(record))
    assert cache.load("ns", "k2") is None
    assert not path.exists()


def test_truncated_entry_is_recomputed():
    cache.store("ns", "k3", {"a": 1})
    path = cache.entry_path("ns", "k3")
    path.write_text(path.read_text()[:10])
    assert cache.cached("ns", "k3", lambda: {"a": 5}) == {"a": 5}


def test_key_changes_with_config():
    assert cache.cache_key({"n": 1}, ["numeric"], ["numpy"]) != cache.cache_key(
        {"n": 2}, ["numeric"], ["numpy"]
    )


def test_key_is_stable():
    assert cache.cache_key({"n": 1}, ["numeric"], ["numpy"]) == cache.cache_key(
        {"n": 1}, ["numeric"], ["numpy"]
    )


def test_failed_write_leaves_the_old_entry(monkeypatch):
    cache.store("ns", "k4", {"a": 1})

    def broken_replace(src, dst):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(cache.os, "replace", broken_replace)
        with pytest.raises(OSError):
            cache.store("ns", "k4", {"a": 2})
    assert cache.load("ns", "k4") == {"a": 1}
    assert not list(cache.entry_path("ns", "k4").parent.glob("*.tmp"))
