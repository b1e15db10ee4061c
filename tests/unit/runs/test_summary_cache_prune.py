"""The per-user summary cache stays bounded: digests of deleted run folders are pruned, and
beyond its cap the least recently used go; a write prunes at most once an hour."""

from __future__ import annotations

import json
import os
import shutil
import time

from core.runs import summary_cache
from core.runs.summary_cache import cache_dir, cached_digest, prune_cache
from tests.helpers.runs import write_run


def _cached_runs() -> set[str]:
    return {
        os.path.basename(json.loads(path.read_text())["run_dir"])
        for path in cache_dir().glob("*.json")
    }


def _age(run_dir, seconds_ago: float) -> None:
    path = summary_cache._cache_file(run_dir)
    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def test_digests_of_deleted_runs_and_garbage_are_pruned(tmp_path):
    kept = write_run(tmp_path, "kept", "finished", epochs_done=2, epochs=2)
    gone = write_run(tmp_path, "gone", "finished", epochs_done=1, epochs=2)
    for run_dir in (kept, gone):
        cached_digest(run_dir)
    (cache_dir() / "junk.json").write_text("[1, 2")
    stale = cache_dir() / ".x.json.999999999-1.tmp"  # a killed writer's temporary
    stale.write_text("{")
    shutil.rmtree(gone)
    assert prune_cache() == 2
    assert _cached_runs() == {kept.name} and not stale.exists()
    assert len(cached_digest(kept).head_events()) > 0  # what is kept still serves


def test_beyond_the_cap_the_least_recently_used_digests_go(tmp_path):
    runs = [write_run(tmp_path, f"r{i}", "finished", epochs_done=1, epochs=1) for i in range(5)]
    for age, run_dir in enumerate(runs):
        cached_digest(run_dir)
        _age(run_dir, summary_cache.TOUCH_SECONDS * (age + 1) + 1)  # r0 used last, r4 first
    cached_digest(runs[4])  # a cache hit: r4 is now the most recently used
    assert prune_cache(max_entries=3) == 2
    assert _cached_runs() == {runs[4].name, runs[0].name, runs[1].name}
    size = summary_cache._cache_file(runs[0]).stat().st_size
    assert prune_cache(max_bytes=size + 1) == 2  # the byte cap: only the newest fits
    assert _cached_runs() == {runs[4].name}


def test_a_write_prunes_at_most_once_per_period(tmp_path):
    first = write_run(tmp_path, "first", "finished", epochs_done=1, epochs=1)
    cached_digest(first)  # the first write prunes (nothing to do) and stamps the time
    shutil.rmtree(first)
    second = write_run(tmp_path, "second", "finished", epochs_done=1, epochs=1)
    cached_digest(second)  # within the period: no pruning
    assert _cached_runs() == {first.name, second.name}
    marker = cache_dir() / ".pruned"
    old = time.time() - summary_cache.PRUNE_SECONDS - 1
    os.utime(marker, (old, old))
    third = write_run(tmp_path, "third", "finished", epochs_done=1, epochs=1)
    cached_digest(third)  # the period is over: this write prunes the deleted run's digest
    assert _cached_runs() == {second.name, third.name}
