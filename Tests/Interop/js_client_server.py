# SPDX-License-Identifier: Apache-2.0
"""A python-socketio server (aiohttp) on 127.0.0.1 for the browser-client tests, run in a background thread.

It speaks the event contract of `authd serve` (Docs/api.md, "Browser client"): auth token at CONNECT, CONNECT_ERROR
with `data.code` followed by closing the transport, `server_response` on connect, `get_secret`, `auth_refresh`,
`revoked`; plus test-only events (`echo`, `ask_client`, `binary_echo`, `kick`, `drop`). It also serves the client
file under test at /static/authd-socket.js and a blank test page at /test.html.
"""
import asyncio
import secrets
import socket
import threading
from pathlib import Path

import socketio
from aiohttp import web

REPO = Path(__file__).resolve().parents[2]
GOOD_TOKENS = {"good-token": "ada", "fresh-token": "ada"}
SESSION_COOKIE = "authd_session=test-session"
# authd's own `auth_expired` payload (RealtimeAuthError.expired): test_security_paths.py checks the real server sends
# `code` and `message`; the stand-in sends the same object so that it cannot drift from authd again.
AUTH_EXPIRED = {"code": "token_expired", "message": "The token has expired: log in or refresh, then reconnect"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_asset(name: str) -> str:
    """The text of `name` (e.g. `authd-socket.js`) under Sources/RealtimeServer/Resources: the file that `authd` embeds
    at build time and serves, read as it is (no copy of it exists anywhere else)."""
    return (REPO / "Sources/RealtimeServer/Resources" / name).read_text(encoding="utf-8")


TEST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>authd-socket test</title>
<script src="/static/authd-socket.js"></script></head>
<body><main id="log">authd-socket test page</main></body></html>
"""


class SocketIOTestServer:
    """python-socketio AsyncServer on aiohttp; `events` records what the server saw (thread-safe list appends)."""

    def __init__(
        self,
        script: str,
        *,
        websocket: bool = True,
        ping_interval: float = 25,
        ping_timeout: float = 20,
        pages: dict | None = None,
        port: int | None = None,
    ):
        self.script = script
        self.pages = pages or {}  # extra GET routes: path -> (content type, text, headers)
        self.port = port or free_port()
        self.events: list[tuple] = []
        self.refuse_code: str | None = None  # refuse every CONNECT with this code when set
        self.refuse_once: str | None = None  # refuse only the next CONNECT with this code
        transports = ["polling", "websocket"] if websocket else ["polling"]
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            transports=transports,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            cors_allowed_origins=[],
        )
        self._register()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _register(self):
        sio = self.sio

        async def close_transport_soon(eio_sid):
            await asyncio.sleep(0.05)
            await sio.eio.disconnect(eio_sid)

        @sio.event
        async def connect(sid, environ, auth):
            transport = sio.transport(sid) if hasattr(sio, "transport") else None
            self.events.append(("connect", auth, environ.get("QUERY_STRING", ""), transport))
            code = self.refuse_once or self.refuse_code
            self.refuse_once = None
            token = (auth or {}).get("token")
            if token is None and SESSION_COOKIE in environ.get("HTTP_COOKIE", ""):
                token = "good-token"  # the dashboard's case: no token, the session cookie of this origin
            if code is None and token is None:
                code = "token_missing"
            elif code is None and token not in GOOD_TOKENS:
                code = "token_invalid"
            if code is not None:
                # authd closes the transport after CONNECT_ERROR; python-socketio leaves it open, so close it here.
                asyncio.ensure_future(close_transport_soon(sio.manager.eio_sid_from_sid(sid, "/")))
                raise socketio.exceptions.ConnectionRefusedError("authentication failed: " + code, {"code": code})
            await sio.save_session(sid, {"user": GOOD_TOKENS[token]})
            await sio.emit("server_response", {"message": "Connected as " + GOOD_TOKENS[token]}, to=sid)

        @sio.event
        async def disconnect(sid, reason=None):
            self.events.append(("disconnect", str(reason)))

        @sio.event
        async def get_secret(sid, data=None):
            message = {"message": f"The eagle has landed [Secret Code: {secrets.token_hex(4)}]"}
            await sio.emit("secret_message", message, to=sid)
            return message

        @sio.event
        async def auth_refresh(sid, data):
            self.events.append(("auth_refresh", data))
            if isinstance(data, dict) and data.get("token") in GOOD_TOKENS:
                return {"ok": True, "expires_in": 900}
            return {"ok": False, "error": {"code": "token_invalid", "message": "The token is not valid."}}

        @sio.event
        async def echo(sid, *args):
            self.events.append(("echo", args))
            return list(args)

        @sio.event
        async def transport(sid):
            return sio.transport(sid)

        @sio.event
        async def fire(sid, data):
            await sio.emit("fired", data, to=sid)

        @sio.event
        async def ask_client(sid, data):
            """Emits `question` to the client with an ack, and returns (as this event's ack) what the client answered."""
            answer = await sio.call("question", data, to=sid, timeout=10)
            self.events.append(("client_answer", answer))
            return answer

        @sio.event
        async def binary_echo(sid, data):
            self.events.append(("binary", data))
            await sio.emit("binary_back", {"raw": bytes(data["raw"]) + b"\xff", "name": data.get("name")}, to=sid)
            return {"length": len(data["raw"]), "first": data["raw"][:4]}

        @sio.on("connect", namespace="/admin")
        async def admin_connect(sid, environ, auth):
            self.events.append(("connect_admin", auth))
            if (auth or {}).get("token") not in GOOD_TOKENS:
                raise socketio.exceptions.ConnectionRefusedError("authentication failed", {"code": "token_invalid"})

        @sio.on("whoami", namespace="/admin")
        async def admin_whoami(sid, *args):
            return {"namespace": "/admin"}

        @sio.event
        async def kick(sid, how):
            """Server-side disconnects: `engine` closes the Engine.IO session, `revoke` sends revoked then disconnects."""
            if how == "revoke":
                await sio.emit("revoked", {"reason": "logout"}, to=sid)
                await sio.disconnect(sid)
            elif how == "expire":  # then close the transport, so only the client's rule prevents a reconnect
                await sio.emit("auth_expired", AUTH_EXPIRED, to=sid)
                eio_sid = sio.manager.eio_sid_from_sid(sid, "/")
                asyncio.ensure_future(sio.eio.disconnect(eio_sid))
            else:
                eio_sid = sio.manager.eio_sid_from_sid(sid, "/")
                asyncio.ensure_future(sio.eio.disconnect(eio_sid))

    def _run(self):
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        self.sio.attach(app)
        script = self.script

        async def client_js(request):
            return web.Response(text=script, content_type="application/javascript", charset="utf-8")

        async def page(request):
            return web.Response(text=TEST_PAGE, content_type="text/html", charset="utf-8")

        app.router.add_get("/static/authd-socket.js", client_js)
        app.router.add_get("/test.html", page)
        for path, (content_type, text, headers) in self.pages.items():

            async def extra(request, content_type=content_type, text=text, headers=headers):
                return web.Response(text=text, content_type=content_type, charset="utf-8", headers=headers)

            app.router.add_get(path, extra)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
        self.loop.run_until_complete(site.start())
        self.ready.set()
        self.loop.run_forever()

    def start(self) -> "SocketIOTestServer":
        self.thread.start()
        if not self.ready.wait(15):
            raise RuntimeError("the python-socketio test server did not start within 15 s")
        return self

    def revoke_all(self, reason: str):
        """Emits `revoked {reason}` to every socket, then disconnects them (what authd does on logout elsewhere)."""

        async def revoke():
            await self.sio.emit("revoked", {"reason": reason})
            for sid in [sid for sid, _ in self.sio.manager.get_participants("/", None)]:
                await self.sio.disconnect(sid)

        self.call(revoke())

    def call(self, coroutine, timeout: float = 10):
        """Runs `coroutine` on the server's loop and returns its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self):
        """Closes every session and the listener; safe to call twice."""
        if not self.ready.is_set() or getattr(self, "stopped", False):
            return
        self.stopped = True

        async def shutdown():
            for eio_sid in list(self.sio.eio.sockets):
                try:
                    await asyncio.wait_for(self.sio.eio.disconnect(eio_sid), 2)
                except (asyncio.TimeoutError, OSError):
                    pass
            try:
                await asyncio.wait_for(self.runner.shutdown(), 5)
            except asyncio.TimeoutError:
                pass
            current = asyncio.current_task()
            others = [task for task in asyncio.all_tasks() if task is not current]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            try:
                await asyncio.wait_for(self.runner.cleanup(), 5)
            except asyncio.TimeoutError:
                pass

        try:
            self.call(shutdown(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
