"""A kernel client that is ready as soon as the kernel answers.

jupyter_client's ``wait_for_ready`` ends by waiting until IOPub has been silent
for 0.2 s, and nbclient calls it for every notebook: with four notebooks in one
kernel that is most of a second of waiting on an idle kernel. This client makes
the same handshake (a ``kernel_info`` reply on the shell channel, a message on
IOPub to show it is connected) and then only drains what IOPub already holds.
Messages arriving later are harmless: nbclient reads only those whose parent is
its own request.
"""

from __future__ import annotations

import math
import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

#: The clients made and not yet stopped (:func:`stop_clients`).
_MADE: list[QuickReadyClient] = []


def stop_clients() -> None:
    """Stop every client made so far: nbclient does not stop the one it makes for a
    kernel manager it was given, and its heartbeat thread, sockets and zmq context
    would stay for as long as the process (a run inside a notebook or a test)."""
    while _MADE:
        client = _MADE.pop()
        if client.channels_running:
            client.stop_channels()


class QuickReadyClient(AsyncKernelClient):
    """An :class:`AsyncKernelClient` whose ``wait_for_ready`` does not wait for silence."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        _MADE.append(self)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Return once the kernel has answered ``kernel_info`` and IOPub is connected.

        Raises
        ------
        RuntimeError
            The kernel died, or did not answer within ``timeout`` seconds.
        """
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                return
