"""A per-user cache of run digests, so listing a semester of runs does not re-read every log.

Stored under $XDG_CACHE_HOME/cnn-tui/runs/ (never in the shared runs folder: other users' runs
are read, not written), one JSON file per run (never pickle). The log is the truth: a cached
digest is used only when events.jsonl has the size and modification time it had, or has grown
from the same bytes (the last KiB before the cached offset is compared), in which case only the
new bytes are read; anything else, and any cache file that does not parse, rebuilds from the log.

The cache is pruned as it is written (at most every PRUNE_SECONDS): digests of run folders that
no longer exist go, then the least recently used beyond MAX_ENTRIES files or MAX_BYTES.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from core.paths import atomic_path, remove_stale_temporaries
from core.runs.digest import RunDigest

VERSION = 1
PREFIX_BYTES = 1024  # bytes before the cached offset that must still be the same
MAX_ENTRIES = 5000  # digests kept: a semester of runs several times over
MAX_BYTES = 128 << 20  # and at most this much of them
PRUNE_SECONDS = 3600.0  # a write prunes the cache when the last pruning is older than this
HEAD_BYTES = 8192  # where a cache file names its run folder (the record's second key)
TOUCH_SECONDS = 3600.0  # a file read is marked used when its time is older than this (one
# write per run and hour at most: a listing on a network home stays a read)


def cache_dir() -> Path:
    """Where this user's digests live."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "cnn-tui" / "runs"


def _cache_file(run_dir: Path) -> Path:
    key = hashlib.sha256(str(run_dir.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return cache_dir() / f"{key[:32]}.json"


def _prefix_hash(path: Path, offset: int) -> str:
    start = max(offset - PREFIX_BYTES, 0)
    with open(path, "rb") as stream:
        stream.seek(start)
        return hashlib.sha256(stream.read(offset - start)).hexdigest()


def _stamp(path: Path) -> dict[str, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}


def _load(cache: Path, run_dir: Path, events: Path) -> tuple[RunDigest, dict[str, Any]] | None:
    try:
        with open(cache, encoding="utf-8") as stream:
            used = os.fstat(stream.fileno()).st_mtime
            data = json.loads(stream.read())
        if data["version"] != VERSION or data["run_dir"] != str(run_dir.resolve()):
            return None
        if time.time() - used > TOUCH_SECONDS:
            _touch(cache)  # recently used: among the last to be pruned
        return RunDigest.from_json(events, data["digest"]), data
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cached_digest(
    run_dir: Path | str, use_cache: bool = True, read: bool = True, steps: bool = True
) -> RunDigest:
    """The digest of run `run_dir`'s log, from the cache where the log has not changed (or
    only grown: then only the new bytes are read), else read afresh; a stale cache is
    refreshed. `read=False`: no reading of the log here (the caller updates the digest in
    bounded steps and saves it with `save_digest` once caught up). `steps=False`: a listing's
    digest, whose step events are counted, not kept (`head_events()` is all it serves)."""
    run_dir = Path(run_dir)
    events = run_dir / "events.jsonl"
    stamp = _stamp(events)
    loaded = _load(_cache_file(run_dir), run_dir, events) if use_cache and stamp else None
    if loaded is not None:
        digest, data = loaded
        if data.get("stamp") == stamp:
            return digest
        if stamp is None or not _grown_from(events, data, digest, stamp):
            loaded = None
    digest = loaded[0] if loaded is not None else RunDigest(events, steps)
    if read:
        digest.update()
        if use_cache and stamp:
            _save(_cache_file(run_dir), run_dir, events, digest, stamp)
    return digest


def _grown_from(events: Path, data: dict, digest: RunDigest, stamp: dict[str, int]) -> bool:
    saved = data.get("stamp")
    offset = digest.tail.offset
    try:
        return (
            isinstance(saved, dict)
            and saved.get("inode") == stamp["inode"]
            and stamp["size"] >= offset
            and data.get("prefix") == _prefix_hash(events, offset)
        )
    except OSError:
        return False


def save_digest(run_dir: Path | str, digest: RunDigest) -> None:
    """Save a digest that has read its log to the end (skipped when the log moved on)."""
    run_dir = Path(run_dir)
    events = run_dir / "events.jsonl"
    stamp = _stamp(events)
    if stamp is not None and stamp["size"] == digest.tail.offset + digest.tail.partial:
        _save(_cache_file(run_dir), run_dir, events, digest, stamp)


def _save(
    cache: Path, run_dir: Path, events: Path, digest: RunDigest, stamp: dict[str, int]
) -> None:
    # `stamp` was taken before the read: if the log grew meanwhile, the next reader sees a
    # different stamp and reads on from the digest's offset.
    try:
        record = {
            "version": VERSION,
            "run_dir": str(run_dir.resolve()),
            "stamp": stamp,
            "prefix": _prefix_hash(events, digest.tail.offset),
            "digest": digest.to_json(),
        }
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(cache) as temporary:
            temporary.write_text(json.dumps(record, default=str), encoding="utf-8")
        _prune_now_and_then(cache.parent)
    except OSError:
        pass  # a cache that cannot be written only costs the next reader a re-read


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _prune_now_and_then(folder: Path) -> None:
    marker = folder / ".pruned"
    try:
        if time.time() - marker.stat().st_mtime < PRUNE_SECONDS:
            return
    except FileNotFoundError:
        pass
    marker.touch()
    prune_cache()


def _cached_run_dir(path: Path) -> str | None:
    """The run folder a cache file is for, read from its head (None: not a cache file)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES).decode("utf-8", "replace")
        start = head.index('"run_dir": ') + len('"run_dir": ')
        run_dir, _ = json.JSONDecoder().raw_decode(head, start)
    except (OSError, ValueError):
        return None
    return run_dir if isinstance(run_dir, str) else None


def prune_cache(max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> int:
    """Remove the digests of run folders that no longer exist (and files that are no digest),
    then the least recently used beyond `max_entries` files or `max_bytes`; returns how many
    files were removed."""
    folder = cache_dir()
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.endswith(".json")]
    except OSError:
        return 0
    try:
        remove_stale_temporaries(folder)  # left by a reader killed while saving
    except OSError:
        pass
    doomed, kept = [], []
    for entry in entries:
        run_dir = _cached_run_dir(Path(entry.path))
        try:
            if run_dir is None or not Path(run_dir).is_dir():
                doomed.append(entry.path)
            else:
                stat = entry.stat()
                kept.append((stat.st_mtime, stat.st_size, entry.path))
        except OSError:
            continue
    total = 0
    for index, (_, size, path) in enumerate(sorted(kept, reverse=True)):  # newest first
        total += size
        if index >= max_entries or total > max_bytes:
            doomed.append(path)
    removed = 0
    for path in doomed:
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
    return removed
