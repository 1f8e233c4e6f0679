# SPDX-License-Identifier: Apache-2.0
"""A light asyncio Socket.IO v5 / Engine.IO v4 client over WebSocket only (aiohttp), for many sockets in one process.

Used by test_shutdown.py and soak.py, where a thousand python-socketio clients (threads each) would cost more than
the server under test. The framing is the protocol's own: `0{…}` open, `40{"token": …}` CONNECT with auth, `40{…}`
accepted or `44{…}` refused, `2`/`3` heartbeat (the server pings), `42[…]` events, `42<id>[…]`/`43<id>[…]` with
acks, `41` disconnect. Every wait is bounded.
"""
import asyncio
import collections
import json
import time

import aiohttp


class SocketError(RuntimeError):
    """The socket was refused, closed early, or broke the protocol; the message says how."""


class RawSocket:
    """One authenticated Socket.IO connection on the default namespace, over a WebSocket."""

    def __init__(self, base_url: str, token: str):
        self.url = base_url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.token = token
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.events: collections.deque[tuple[str, object]] = collections.deque(maxlen=64)  # the latest events
        self.event_count = 0
        self.pings = 0
        self.next_ack = 0
        self.acks: dict[int, asyncio.Future] = {}
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        # How the socket ended: "disconnect" (a `41` packet), "close <code>" (a WebSocket close frame), "eof" (the
        # TCP connection ended without either), "client" (we closed it).
        self.ending: list[str] = []
        self.connect_error = None
        self._reader: asyncio.Task | None = None
        self._waiters: list[tuple[str, asyncio.Future]] = []

    async def connect(self, session: aiohttp.ClientSession, timeout: float = 30) -> "RawSocket":
        async with asyncio.timeout(timeout):
            self.ws = await session.ws_connect(self.url, autoping=True, heartbeat=None, max_msg_size=1 << 20)
            opening = await self.ws.receive()
            if opening.type != aiohttp.WSMsgType.TEXT or not opening.data.startswith("0"):
                raise SocketError(f"expected an Engine.IO open packet, got {opening.type} {opening.data!r}")
            self._reader = asyncio.create_task(self._read())
            await self.ws.send_str("40" + json.dumps({"token": self.token}))
            await self.connected.wait()
        if self.connect_error is not None:
            raise SocketError(f"CONNECT refused: {self.connect_error}")
        return self

    async def _read(self):
        assert self.ws is not None
        try:
            async for message in self.ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                self._packet(message.data)
        except (aiohttp.ClientError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if self.ws.close_code is not None and not self.ending:
                self.ending.append(f"close {self.ws.close_code}")
            elif not self.ending:
                self.ending.append("eof")
            elif self.ws.close_code is not None and self.ending == ["disconnect"]:
                self.ending.append(f"close {self.ws.close_code}")
            self.connected.set()
            self.closed.set()
            for future in self.acks.values():
                if not future.done():
                    future.set_exception(SocketError(f"closed ({', '.join(self.ending)}) before the ack"))
            for _, future in self._waiters:
                if not future.done():
                    future.set_exception(SocketError(f"closed ({', '.join(self.ending)})"))

    def _packet(self, data: str):
        if data == "2":
            self.pings += 1
            asyncio.ensure_future(self._send("3"))
        elif data.startswith("40"):
            self.connected.set()
        elif data.startswith("44"):
            self.connect_error = json.loads(data[2:] or "null")
            self.connected.set()
        elif data.startswith("41"):
            self.ending.append("disconnect")
        elif data.startswith("42"):
            name, *args = json.loads(data[2 + _digits(data, 2) :])
            self.events.append((name, args[0] if len(args) == 1 else args))
            self.event_count += 1
            for waited, future in list(self._waiters):
                if waited == name and not future.done():
                    future.set_result(args[0] if len(args) == 1 else args)
                    self._waiters.remove((waited, future))
        elif data.startswith("43"):
            count = _digits(data, 2)
            future = self.acks.pop(int(data[2 : 2 + count]), None)
            if future is not None and not future.done():
                future.set_result(json.loads(data[2 + count :]))

    async def _send(self, text: str):
        try:
            if self.ws is not None and not self.ws.closed:
                await self.ws.send_str(text)
        except (aiohttp.ClientError, ConnectionError):
            pass

    async def wait_event(self, name: str, timeout: float = 30):
        for event, data in self.events:
            if event == name:
                return data
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((name, future))
        async with asyncio.timeout(timeout):
            return await future

    async def call(self, event: str, *args, timeout: float = 30):
        """Emits `event` with an ack id and returns the ack's arguments."""
        self.next_ack += 1
        ack = self.next_ack
        future = asyncio.get_running_loop().create_future()
        self.acks[ack] = future
        await self._send(f"42{ack}" + json.dumps([event, *args]))
        async with asyncio.timeout(timeout):
            return await future

    async def close(self):
        if self.ws is not None and not self.ws.closed:
            if not self.closed.is_set():
                self.ending.append("client")
            await self._send("41")
            await self.ws.close()
        if self._reader is not None:
            await asyncio.wait([self._reader], timeout=5)


def _digits(text: str, start: int) -> int:
    count = 0
    while start + count < len(text) and text[start + count].isdigit():
        count += 1
    return count


async def connect_many(base_url: str, tokens: list[str], sessions: "SpreadSessions", parallel: int = 50, timeout: float = 300):
    """Connects one socket per token, `parallel` at a time, all within `timeout` seconds; returns them in order."""
    gate = asyncio.Semaphore(parallel)

    async def one(index, token):
        async with gate:
            socket = RawSocket(base_url, token)
            await socket.connect(sessions.for_index(index))
            await socket.wait_event("server_response")
            return socket

    deadline = time.monotonic() + timeout
    async with asyncio.timeout(max(1, deadline - time.monotonic())):
        return await asyncio.gather(*(one(index, token) for index, token in enumerate(tokens)))


def client_session(local_address: str | None = None) -> aiohttp.ClientSession:
    """A session with no connection cap (one TCP connection per socket), its connections from `local_address`."""
    local = (local_address, 0) if local_address else None
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False, local_addr=local))


# Many sockets come from many loopback addresses (127.0.1.1 …), a few dozen each, as real clients would: per-address
# connection caps (#17) must not turn a load test into a limits test.
SOURCE_ADDRESSES = [f"127.0.1.{i}" for i in range(1, 101)]


class SpreadSessions:
    """One client_session per SOURCE_ADDRESSES entry; `for_index(i)` spreads sockets round-robin."""

    async def __aenter__(self):
        self.sessions = [client_session(address) for address in SOURCE_ADDRESSES]
        return self

    async def __aexit__(self, *exc):
        for session in self.sessions:
            await session.close()

    def for_index(self, index: int) -> aiohttp.ClientSession:
        return self.sessions[index % len(self.sessions)]
