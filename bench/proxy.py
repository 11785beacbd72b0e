"""A loopback TCP relay in front of the simulator that counts the HTTP requests going through
it (by kind: list page, creation progress, other) and the most in flight at once.

It relays bytes unchanged (AK/SK signatures cover the Host header the client sent, which the
simulator then sees as is), in a thread of its own. Only for counting: timed runs go straight
to the simulator.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from types import TracebackType
from urllib.parse import urlsplit

_REQUEST_LINE = re.compile(rb"(?:^|\r\n)(?:GET|POST|PUT|DELETE|PATCH|HEAD) (\S+) HTTP/1\.[01]\r\n")


def kind(target: bytes) -> str:
    path = target.split(b"?", 1)[0]
    if path.endswith(b"/instances"):
        return "list"
    if path.endswith(b"/process"):
        return "progress"
    return "other"


class CountingProxy:
    """`with CountingProxy(upstream_url) as proxy:` point a client at `proxy.url`, then read
    `proxy.counts` and `proxy.max_in_flight`."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.counts: Counter[str] = Counter()
        self.max_in_flight = 0
        self._waiting: set[int] = set()  # connections with a request not answered yet
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="counting-proxy", daemon=True)
        self.url = ""

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0)
        )
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        key = id(writer)

        async def requests() -> None:
            tail = b""
            while data := await reader.read(65536):
                scan = tail + data
                for match in _REQUEST_LINE.finditer(scan):
                    if match.end() > len(tail):  # not counted with the previous chunk
                        self.counts[kind(match.group(1))] += 1
                        self._waiting.add(key)
                        self.max_in_flight = max(self.max_in_flight, len(self._waiting))
                tail = scan[-200:]
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def responses() -> None:
            while data := await up_reader.read(65536):
                self._waiting.discard(key)
                writer.write(data)
                await writer.drain()
            writer.close()

        try:
            await asyncio.gather(requests(), responses())
        except (ConnectionError, OSError):
            pass
        finally:
            self._waiting.discard(key)
            writer.close()
            up_writer.close()
