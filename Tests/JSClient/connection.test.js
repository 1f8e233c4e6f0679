// SPDX-License-Identifier: Apache-2.0
// authd-socket.js over a real WebSocket against a scripted server: handshake, CONNECT and its auth, events and acks in
// both directions, binary attachments, buffering around CONNECT, heartbeat, namespaces.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { setUp } = require("./support/connect.js");
const { next, until, sleep } = require("./support/wait.js");

test("connects with EIO=4 over WebSocket, sends auth in CONNECT, and takes the sid of the server's reply", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: { token: "good-token" } });
  await next(socket, "connect");
  const connection = await server.connection(0);
  assert.equal(connection.url.pathname, "/socket.io/");
  assert.equal(connection.url.searchParams.get("EIO"), "4");
  assert.equal(connection.url.searchParams.get("transport"), "websocket");
  assert.deepEqual(connection.packetsOfType(0), [{ type: 0, nsp: "/", data: { token: "good-token" } }]);
  assert.equal(socket.id, connection.sid + "/");
  assert.equal(socket.connected, true);
  assert.equal(socket.io.engine.transport.name, "websocket");
});

test("a server event reaches its listener and onAny listeners, with its arguments", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  await next(socket, "connect");
  const any = [];
  socket.onAny((...args) => any.push(args));
  const greeting = next(socket, "server_response");
  server.connections[0].event("server_response", [{ message: "Connected as ada" }, 2]);
  assert.deepEqual(await greeting, [{ message: "Connected as ada" }, 2]);
  assert.deepEqual(any, [["server_response", { message: "Connected as ada" }, 2]]);
});

test("emitWithAck numbers its requests and resolves with the matching ack; a duplicate ack is ignored", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  await next(socket, "connect");
  const connection = server.connections[0];
  const first = socket.emitWithAck("get_secret", {});
  const second = socket.emitWithAck("echo", 1, "two");
  await until(() => connection.packetsOfType(2).length === 2, 3000, "two events");
  const [a, b] = connection.packetsOfType(2);
  assert.deepEqual([a.id, a.data], [0, ["get_secret", {}]]);
  assert.deepEqual([b.id, b.data], [1, ["echo", 1, "two"]]);
  connection.sendSocket(`3${b.id}[[1,"two"]]`);
  connection.sendSocket(`3${a.id}[{"message":"[Secret Code: 0badf00d]"}]`);
  connection.sendSocket(`3${a.id}[{"message":"again"}]`);
  assert.deepEqual(await first, { message: "[Secret Code: 0badf00d]" });
  assert.deepEqual(await second, [1, "two"]);
});

test("emit with a callback and a timeout gets (null, reply), or an Error once the time is up", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  await next(socket, "connect");
  const connection = server.connections[0];
  const answered = new Promise((resolve) => socket.timeout(2000).emit("ping_me", (...args) => resolve(args)));
  await until(() => connection.packetsOfType(2).length === 1);
  connection.sendSocket(`3${connection.packetsOfType(2)[0].id}["pong",2]`);
  assert.deepEqual(await answered, [null, "pong", 2]);

  const started = Date.now();
  await assert.rejects(socket.timeout(100).emitWithAck("never_answered"), { message: "operation has timed out" });
  assert.ok(Date.now() - started >= 90);
  const late = connection.packetsOfType(2)[1];
  connection.sendSocket(`3${late.id}["too late"]`); // the request is forgotten: nothing to resolve, nothing thrown
  await sleep(20);
});

test("the ackTimeout option applies to every emit with an ack", async (t) => {
  const { connect } = await setUp(t);
  const socket = connect({ ackTimeout: 50 });
  await next(socket, "connect");
  await assert.rejects(socket.emitWithAck("never_answered"), { message: "operation has timed out" });
});

test("a server request with an id gets exactly one ACK from the listener's callback", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  socket.on("question", (data, ack) => {
    ack({ answer: data.n * 2 });
    ack({ answer: "twice" });
  });
  await next(socket, "connect");
  const connection = server.connections[0];
  connection.event("question", [{ n: 21 }], 5);
  await until(() => connection.packetsOfType(3).length === 1);
  await sleep(20);
  assert.deepEqual(connection.packetsOfType(3), [{ type: 3, nsp: "/", id: 5, data: [{ answer: 42 }] }]);
});

test("binary values travel as attachments both ways", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  await next(socket, "connect");
  const connection = server.connections[0];

  socket.emit("upload", { name: "a", raw: new Uint8Array([1, 2, 3]) }, new Uint8Array([255]).buffer);
  await until(() => connection.packetsOfType(5).length === 1);
  const upload = connection.packetsOfType(5)[0];
  assert.equal(upload.attachments, 2);
  assert.deepEqual(upload.data, ["upload", { name: "a", raw: { _placeholder: true, num: 0 } }, { _placeholder: true, num: 1 }]);
  assert.deepEqual(upload.buffers.map((b) => Array.from(b)), [[1, 2, 3], [255]]);

  const received = next(socket, "blob");
  connection.sendSocket('51-["blob",{"bytes":{"_placeholder":true,"num":0}}]', [Buffer.from([9, 8, 7])]);
  const [payload] = await received;
  assert.ok(payload.bytes instanceof ArrayBuffer);
  assert.deepEqual(Array.from(new Uint8Array(payload.bytes)), [9, 8, 7]);
});

test("events the server sends before its CONNECT reply are delivered right after connect, in order", async (t) => {
  const { connect } = await setUp(t, {
    onConnect(connection) {
      connection.event("early", [1]);
      connection.event("early", [2]);
      connection.accept();
    },
  });
  const socket = connect();
  const seen = [];
  socket.on("connect", () => seen.push("connect"));
  socket.on("early", (n) => seen.push(n));
  await until(() => seen.length === 3);
  assert.deepEqual(seen, ["connect", 1, 2]);
});

test("emits made before the connection is up are sent after CONNECT, in order", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  socket.emit("first", 1);
  socket.emit("second", 2);
  assert.equal(socket.connected, false);
  await next(socket, "connect");
  const connection = server.connections[0];
  await until(() => connection.packetsOfType(2).length === 2);
  assert.deepEqual(connection.packets.map((p) => p.type), [0, 2, 2]);
  assert.deepEqual(connection.packetsOfType(2).map((p) => p.data), [["first", 1], ["second", 2]]);
});

test("each ping is answered with a pong", async (t) => {
  const { server, connect } = await setUp(t, { pingInterval: 200, pingTimeout: 200 });
  const socket = connect();
  await next(socket, "connect");
  const connection = server.connections[0];
  for (let i = 1; i <= 3; i++) {
    const pinged = next(socket.io, "ping");
    connection.sendEngine("2");
    await pinged;
    await until(() => connection.engineText.filter((text) => text === "3").length === i);
  }
  assert.equal(socket.connected, true);
});

test("a server that stops pinging is detected after pingInterval + pingTimeout", async (t) => {
  const { connect } = await setUp(t, { pingInterval: 60, pingTimeout: 40 });
  const socket = connect({ reconnection: false });
  // The heartbeat starts at the Engine.IO handshake, before the namespace's CONNECT comes back.
  let started;
  socket.io.on("open", () => (started = Date.now()));
  await next(socket, "connect");
  const [reason] = await next(socket, "disconnect", 2000);
  assert.equal(reason, "ping timeout");
  assert.ok(Date.now() - started >= 90, "not before pingInterval + pingTimeout");
});

test("namespaces of one URL share one Engine.IO connection, and events reach only their namespace", async (t) => {
  const { server, connect } = await setUp(t);
  const main = connect({ forceNew: false });
  const admin = connect({ forceNew: false }, "/admin");
  assert.equal(main.io, admin.io);
  await Promise.all([next(main, "connect"), next(admin, "connect")]);
  assert.equal(server.connections.length, 1);
  const connection = server.connections[0];
  assert.deepEqual(connection.packetsOfType(0).map((p) => p.nsp).sort(), ["/", "/admin"]);
  const mainEvents = [];
  main.on("news", (n) => mainEvents.push(n));
  const adminNews = next(admin, "news");
  connection.sendSocket('2/admin,["news","for admin"]');
  connection.event("news", ["for main"]);
  assert.deepEqual(await adminNews, ["for admin"]);
  await until(() => mainEvents.length === 1);
  assert.deepEqual(mainEvents, ["for main"]);

  admin.disconnect();
  await until(() => connection.packetsOfType(1).length === 1);
  assert.equal(connection.packetsOfType(1)[0].nsp, "/admin");
  assert.equal(main.connected, true, "leaving one namespace keeps the shared connection");
});

test("a malformed packet from the server is an error that closes the connection", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ reconnection: false });
  await next(socket, "connect");
  const error = next(socket.io, "error");
  const lost = next(socket, "disconnect");
  server.connections[0].sendEngine("42{not json");
  const [reported] = await error;
  assert.match(reported.message, /invalid payload/);
  assert.deepEqual((await lost)[0], "parse error");
});

test("reserved event names and timeouts without an ack callback are refused at emit", async (t) => {
  const { connect } = await setUp(t);
  const socket = connect({ autoConnect: false });
  for (const reserved of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]) {
    assert.throws(() => socket.emit(reserved), /reserved event name/);
  }
  assert.throws(() => socket.timeout(10).emit("no_callback", 1), /needs an acknowledgement callback/);
});

test("a listener that throws is reported on the console and does not stop the other listeners", async (t) => {
  const { server, connect } = await setUp(t);
  const reported = [];
  t.mock.method(console, "error", (error) => reported.push(error));
  const socket = connect();
  await next(socket, "connect");
  socket.on("news", () => {
    throw new Error("listener bug");
  });
  const delivered = next(socket, "news");
  server.connections[0].event("news", ["x"]);
  assert.deepEqual(await delivered, ["x"]);
  assert.equal(reported.length, 1);
  assert.equal(reported[0].message, "listener bug");
  assert.equal(socket.connected, true);
});
