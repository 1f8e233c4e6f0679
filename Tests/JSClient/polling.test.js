// SPDX-License-Identifier: Apache-2.0
// authd-socket.js on the long-polling transport (fetch): the handshake by GET, packets by POST, several packets in
// one payload, binary as base64, the CLOSE packet, and the fallback to polling when WebSocket cannot connect.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { client, ws } = require("./support/client.js");
const { FakePollingServer } = require("./support/fake-polling-server.js");
const { next, until } = require("./support/wait.js");

async function setUp(t, opts) {
  const server = await new FakePollingServer().start();
  const socket = client.io(server.url, { WebSocket: ws, forceNew: true, reconnection: false, ...opts });
  t.after(async () => {
    socket.io.close();
    await server.stop();
  });
  return { server, socket };
}

test("polling: GET handshake, CONNECT by POST, its reply and events by GET", async (t) => {
  const { server, socket } = await setUp(t, { transports: ["polling"], auth: { token: "good-token" } });
  await next(socket, "connect");
  assert.equal(socket.io.engine.transport.name, "polling");
  const [handshake] = server.requests;
  assert.equal(handshake.method, "GET");
  assert.equal(handshake.url.searchParams.get("EIO"), "4");
  assert.equal(handshake.url.searchParams.get("transport"), "polling");
  assert.equal(handshake.url.searchParams.get("sid"), null);
  assert.ok(server.requests.slice(1).every((r) => r.url.searchParams.get("sid") === server.sid));
  assert.deepEqual(server.packets, [{ type: 0, nsp: "/", data: { token: "good-token" } }]);

  const got = [];
  socket.on("news", (n) => got.push(n));
  server.send('42["news",1]', '42["news",2]', '42["news",3]');
  await until(() => got.length === 3);
  assert.deepEqual(got, [1, 2, 3], "one GET answer may carry several packets, separated by \\x1e");
});

test("polling: binary attachments go out and come in as base64 packets", async (t) => {
  const { server, socket } = await setUp(t, { transports: ["polling"] });
  await next(socket, "connect");
  socket.emit("upload", new Uint8Array([0, 255, 10]));
  await until(() => server.binary.length === 1);
  assert.deepEqual(server.packets[1], { type: 5, nsp: "/", attachments: 1, data: ["upload", { _placeholder: true, num: 0 }] });
  assert.deepEqual(Array.from(server.binary[0]), [0, 255, 10]);

  const received = next(socket, "blob");
  server.send('451-["blob",{"_placeholder":true,"num":0}]', "b" + Buffer.from([7, 8]).toString("base64"));
  const [blob] = await received;
  assert.deepEqual(Array.from(new Uint8Array(blob)), [7, 8]);
});

test("polling: emits made while a POST is in flight are batched into the next POST", async (t) => {
  const { server, socket } = await setUp(t, { transports: ["polling"] });
  await next(socket, "connect");
  const before = server.posts;
  for (let i = 0; i < 5; i++) socket.emit("n", i);
  await until(() => server.packets.length === 6);
  assert.deepEqual(server.packets.slice(1).map((p) => p.data), [0, 1, 2, 3, 4].map((i) => ["n", i]));
  assert.ok(server.posts - before < 5, `${server.posts - before} POSTs for 5 emits`);
});

test("polling: a CLOSE packet from the server closes the session", async (t) => {
  const { server, socket } = await setUp(t, { transports: ["polling"] });
  await next(socket, "connect");
  const lost = next(socket, "disconnect");
  server.send("1");
  assert.equal((await lost)[0], "transport close");
});

test("when the WebSocket cannot connect the client falls back to polling", async (t) => {
  const { socket } = await setUp(t, { transports: ["websocket", "polling"] });
  const fallback = next(socket.io, "transport_fallback");
  await next(socket, "connect");
  assert.equal((await fallback)[0], "polling");
  assert.equal(socket.io.engine.transport.name, "polling");
});
