"""The executor behind the app's thread workers: daemon threads that quitting never waits on.

Textual runs a thread worker with `loop.run_in_executor(None, …)`. The default executor's
threads are joined when the event loop closes and again at interpreter exit, so a worker still
computing (a large table, a slow read) would keep the process alive after ctrl+q with a blank
screen. Here each job runs on its own daemon thread and `shutdown` never waits: the app's
workers are cancelled as Textual exits, and the process ends at once.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor


class DaemonExecutor(ThreadPoolExecutor):
    """One daemon thread per submitted call; shutting down does not wait for them. (A
    ThreadPoolExecutor only in type, as asyncio's default executor must be; its pool is unused.)"""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self._closed = False

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._closed:
            raise RuntimeError("cannot schedule new work after shutdown")
        future: Future = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # handed to the awaiting worker, as the pool does
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="cnn-tui-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True  # never waits: the threads are daemons
