"""A listing's digest (step lines recognised a chunk at a time, `core.runs.step_shapes`) equals
the line-by-line reader and a plain json.loads + schema read, on random logs with garbage and
near-miss lines, however the log is split into reads."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from core.runs import events as events_module
from core.runs.digest import RunDigest, read_digest
from core.runs.events import EventTail
from core.runs.schema import event_problem
from core.runs.step_shapes import StepShapes


def _written(seq: int, g: int, loss: float, lr: float | None, ips: float | None) -> bytes:
    event = {"seq": seq, "time": 1.7e9 + seq / 7, "kind": "step", "epoch": 1 + g // 50,
             "step": 1 + g % 50, "steps_per_epoch": 50, "global_step": g, "loss": loss,
             "lr": lr, "images_per_s": ips}  # fmt: skip
    return json.dumps(event).encode()


near_misses = [
    b'{"seq": 07, "time": 1.5, "kind": "step", "epoch": 1, "step": 1, "steps_per_epoch": 5, '
    b'"global_step": 1, "loss": 0.5, "lr": 0.1, "images_per_s": 3.0}',  # leading zero: not JSON
    b'{"seq": 7, "time": 1.5, "kind": "step", "epoch": 1, "step": 1, "steps_per_epoch": 5, '
    b'"global_step": -00, "loss": 0.5, "lr": null, "images_per_s": null}',
    b'{"seq": 7, "time": 1.5, "kind": "step", "epoch": 1, "step": 1, "steps_per_epoch": 5, '
    b'"global_step": 1, "loss": 1e999, "lr": 0.1, "images_per_s": 3.0}',  # infinite loss
    b'{"seq": 7, "time": 1.5, "kind": "step", "epoch": 1, "step": 1, "steps_per_epoch": 5, '
    b'"global_step": 1, "loss": ' + b"9" * 400 + b'.5, "lr": 0.1, "images_per_s": 3.0}',
    b'{"seq": 7, "time": 1.5, "kind": "step", "epoch": 1.0, "step": 1, "steps_per_epoch": 5, '
    b'"global_step": 1, "loss": 0.5, "lr": 0.1, "images_per_s": 3.0}',  # epoch not an integer
    b'{"seq": 7, "time": 1.5, "kind": "step", "epoch": 1, "step": 1, "steps_per_epoch": 5, '
    b'"global_step": 1, "loss": 2.5e-05, "lr": 1e-05, "images_per_s": 3.0}\r  ',
    b'{"seq": 7, "time": 1.5, "kind": "step", "epoch": 1, "step": , "steps_per_epoch": 5, '
    b'"global_step": 1, "loss": 0.5, "lr": 0.1, "images_per_s": 3.0}',
    b'{"seq": 7, "time": 1.5, "kind": "step", "epoch": 1, "step": 1, "steps_per_epoch": 5, '
    b'"global_step": 1, "loss": -0, "lr": -0.0, "images_per_s": 0}',
    b'{"seq": 7, "kind": "epoch", "epoch": 2, "train_loss": 0.25}',
    b'{"kind": "epoch"}',
    b"{not json",
    b"",
    b"   ",
    b"\xff\xfe garbage",
]

lines_strategy = st.lists(
    st.one_of(
        st.builds(
            _written,
            st.integers(0, 10**7),
            st.integers(0, 10**6),
            st.floats(0, 50, allow_nan=False) | st.sampled_from([0.0, 1e-07, 123456.0]),
            st.none() | st.sampled_from([0.1, 1e-05, 0.001]),
            st.none() | st.floats(0, 1e5),
        ),
        st.sampled_from(near_misses),
        st.binary(max_size=40).filter(lambda b: b"\n" not in b),
    ),
    max_size=80,
)


def _json_oracle(data: bytes) -> tuple[list[dict], int, dict | None, int]:
    """(the non-step or unplottable events, the count of valid events, the last step, the
    count of skipped lines) by json.loads and the schema alone."""
    head, count, last, corrupt = [], 0, None, 0
    for line in data.split(b"\n")[:-1]:
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            bad = event_problem(event)
        except ValueError:
            bad = "not JSON"
        if bad:
            corrupt += 1
            continue
        count += 1
        if event["kind"] == "step":
            last = event
            loss = event.get("loss")
            if loss is not None and math.isfinite(loss):
                continue
        head.append(event)
    return head, count, last, corrupt


def _state(digest: RunDigest) -> tuple:
    tail = digest.tail
    last = digest.last_step.event() if digest.last_step else None
    return (digest.head, digest.count, last, tail.lines, tail.corrupt, tail.problems, tail.offset)


@settings(max_examples=80, deadline=None)
@given(lines=lines_strategy, read=st.integers(1, 400), chunk=st.sampled_from([64, 300, 4 << 20]))
def test_listing_digest_equals_line_by_line_and_json(tmp_path_factory, lines, read, chunk):
    run_dir = tmp_path_factory.mktemp("shapes")
    data = b"".join(line + b"\n" for line in lines) + b'{"seq": 1, "kind": "sta'
    (run_dir / "events.jsonl").write_bytes(data)
    whole = read_digest(run_dir)  # steps kept, line by line
    original = events_module.CHUNK_BYTES
    events_module.CHUNK_BYTES = chunk
    try:
        listing = RunDigest(run_dir / "events.jsonl", steps=False)
        while listing.update(max_bytes=read):
            pass
    finally:
        events_module.CHUNK_BYTES = original
    assert _state(listing) == _state(whole)
    assert listing.head_events() == whole.head_events()
    assert listing.report() == whole.report()
    head, count, last, corrupt = _json_oracle(data)
    assert (listing.head_events(), listing.count, listing.tail.corrupt) == (head, count, corrupt)
    assert (listing.last_step.event() if listing.last_step else None) == last
    assert listing.steps_complete is False and whole.steps_complete is True


def test_a_clean_chunk_is_taken_whole_and_a_leading_zero_reads_line_by_line():
    data = b"".join(_written(seq, seq, 1 / (seq + 1), 0.1, 10.0) + b"\n" for seq in range(500))
    lines = data.split(b"\n")[:-1]
    shapes = StepShapes()
    assert shapes.others(data, lines) == []
    odd = data + b'{"seq": 5, "kind": "epoch", "epoch": 1}\n'
    assert shapes.others(odd, odd.split(b"\n")[:-1]) == [500]
    zero = data.replace(b'"epoch": 1,', b'"epoch": 01,', 1)
    assert shapes.others(zero, zero.split(b"\n")[:-1]) is None


def test_the_status_readers_take_the_fast_path(tmp_path, monkeypatch):
    log = tmp_path / "events.jsonl"
    log.write_bytes(b"".join(_written(s, s, 0.5, None, None) + b"\n" for s in range(300)))
    per_line = []
    monkeypatch.setattr(EventTail, "_line", lambda self, line: per_line.append(line))
    digest = read_digest(tmp_path, steps=False)
    assert (digest.count, per_line) == (300, [])  # no line went the line-by-line way
    assert digest.last_step is not None and digest.last_step.event()["seq"] == 299
