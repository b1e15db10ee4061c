"""Keys as a fast typist or a paste sends them: every event queued at once, no waiting."""

from __future__ import annotations

import asyncio
import unicodedata

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key


def key_event(key: str) -> events.Key:
    """The Key event Textual's driver makes for `key` (a character or a key name)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def type_at_full_speed(pilot, keys, settle: float = 0.5, workers: bool = True) -> None:
    """Queue every key before the app handles the first, then let it catch up.

    Unlike `pilot.press`, nothing waits for the app between keys, so handlers that run
    after input (validation, recomputation, searches) race with the next key as they do when
    a student types fast or pastes. `workers=False`: no waiting for the workers to end (the
    Monitor's follows the runs folder for as long as it is open).
    """
    driver = pilot.app._driver
    for key in keys:
        event = key_event(key)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await pilot.pause(settle)
    if workers:
        await settle_workers(pilot)


async def settle_workers(pilot) -> None:
    """Wait until no worker runs (one cancelled by a newer exclusive one counts as done)."""
    while running := [w for w in pilot.app.workers if not w.is_finished]:
        await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
    await pilot.pause()
