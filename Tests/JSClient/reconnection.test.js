// SPDX-License-Identifier: Apache-2.0
// When authd-socket.js reconnects and when it gives up: backoff between attempts, CONNECT_ERROR codes (fatal or not),
// authd's `revoked`, `auth_expired` and `auth_expiring` events, token refresh, and disconnects from either side.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { setUp } = require("./support/connect.js");
const { next, until, sleep } = require("./support/wait.js");

// Long enough for several reconnection attempts at the 20–80 ms delays of setUp: a client that retried would have.
const SEVERAL_BACKOFF_PERIODS = 300;

/** A server whose CONNECT answer is CONNECT_ERROR `code` followed by closing the transport, as authd does. */
function refusing(code, times = Infinity) {
  let refused = 0;
  return {
    onConnect(connection, packet) {
      if (refused++ >= times) return connection.accept(packet.nsp);
      connection.refuse(code);
      connection.drop();
    },
  };
}

test("after the server drops a connected transport it reconnects and connects again", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: { token: "good-token" } });
  await next(socket, "connect");
  const firstSid = socket.id;
  const lost = next(socket, "disconnect");
  const attempt = next(socket.io, "reconnect_attempt");
  const back = next(socket.io, "reconnect");
  server.connections[0].drop();
  assert.deepEqual(await lost, ["transport close", undefined]);
  assert.deepEqual(await attempt, [1]);
  assert.deepEqual(await back, [1]);
  if (!socket.connected) await next(socket, "connect");
  assert.notEqual(socket.id, firstSid);
  assert.deepEqual(server.connections[1].packetsOfType(0)[0].data, { token: "good-token" });
});

test("while the server is unreachable the delays double up to reconnectionDelayMax, then reset after a success", async (t) => {
  let admitted = [true, false, false, false, false, true, true];
  const { server, connect } = await setUp(t, { admits: () => admitted.shift() ?? true });
  const socket = connect();
  const delays = [];
  socket.io.on("reconnect_scheduled", (delay) => delays.push(delay));
  const errors = [];
  socket.on("connect_error", (error) => errors.push(error));
  await next(socket, "connect");
  server.connections[0].drop();
  await next(socket.io, "reconnect", 3000);
  await until(() => socket.connected);
  assert.deepEqual(delays, [20, 40, 80, 80, 80]);
  assert.equal(errors.length, 4, "each refused attempt is a connect_error");
  assert.ok(errors.every((error) => error instanceof Error));

  server.connections[server.connections.length - 1].drop();
  await until(() => delays.length === 6);
  assert.equal(delays[5], 20, "a successful reconnection resets the backoff");
});

for (const code of ["token_missing", "token_invalid", "token_revoked", "session_invalid", "token_expired"]) {
  test(`CONNECT_ERROR ${code} is fatal: connect_error once, then no reconnection`, async (t) => {
    const { server, connect } = await setUp(t, refusing(code));
    const socket = connect({ auth: { token: "some-token" } });
    const errors = [];
    socket.on("connect_error", (error) => errors.push(error));
    await until(() => errors.length === 1);
    await sleep(SEVERAL_BACKOFF_PERIODS);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].message, "Not authorized: " + code);
    assert.deepEqual(errors[0].data, { code });
    assert.equal(errors[0].type, "server");
    assert.equal(socket.active, false);
    assert.equal(socket.connected, false);
    assert.equal(socket.stopReason, "connect_error:" + code);
    assert.equal(server.connections.length, 1);
  });
}

test("a CONNECT_ERROR with a code that retrying can fix (server_busy) reconnects", async (t) => {
  const { server, connect } = await setUp(t, refusing("server_busy", 2));
  const socket = connect({ auth: { token: "good-token" } });
  const codes = [];
  socket.on("connect_error", (error) => codes.push(error.data.code));
  await next(socket, "connect", 3000);
  assert.deepEqual(codes, ["server_busy", "server_busy"]);
  assert.equal(server.connections.length, 3);
  assert.equal(socket.stopReason, null);
});

test("a CONNECT_ERROR without data.code (a plain message) is retried", async (t) => {
  let refusals = 1;
  const { connect } = await setUp(t, {
    onConnect(connection) {
      if (refusals-- > 0) {
        connection.sendSocket('4"try later"');
        return connection.drop();
      }
      connection.accept();
    },
  });
  const socket = connect();
  const [error] = await next(socket, "connect_error");
  assert.equal(error.message, "try later");
  assert.equal(error.data, undefined);
  await next(socket, "connect", 3000);
});

test("token_expired is not fatal when auth is a function: it is asked for a fresh token", async (t) => {
  let expiredOnce = true;
  const { server, connect } = await setUp(t, {
    onConnect(connection, packet) {
      if (packet.data.token === "stale" && expiredOnce) {
        expiredOnce = false;
        connection.refuse("token_expired");
        return connection.drop();
      }
      connection.accept();
    },
  });
  const tokens = ["stale", "fresh"];
  const socket = connect({ auth: (send) => send({ token: tokens.shift() }) });
  const [error] = await next(socket, "connect_error");
  assert.equal(error.data.code, "token_expired");
  await next(socket, "connect", 3000);
  assert.deepEqual(server.connections.map((c) => c.packetsOfType(0)[0].data), [{ token: "stale" }, { token: "fresh" }]);
});

test("fatalCodes replaces the built-in list of codes that stop reconnection", async (t) => {
  const { connect } = await setUp(t, refusing("token_invalid", 1));
  const socket = connect({ fatalCodes: ["banned"] });
  await next(socket, "connect_error");
  await next(socket, "connect", 3000);

  const { server: strict, connect: connectStrict } = await setUp(t, refusing("banned"));
  const banned = connectStrict({ fatalCodes: ["banned"] });
  await next(banned, "connect_error");
  await sleep(SEVERAL_BACKOFF_PERIODS);
  assert.equal(banned.stopReason, "connect_error:banned");
  assert.equal(strict.connections.length, 1);
});

test("auth that is not an object is refused locally with connect_error, without a CONNECT", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: (send) => send(["not", "an", "object"]) });
  const [error] = await next(socket, "connect_error");
  assert.equal(error.message, "auth must be an object");
  await sleep(50);
  assert.deepEqual(server.connections[0].packetsOfType(0), []);
});

test("`revoked` is delivered, and the dropped transport is not reconnected", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: { token: "good-token" } });
  await next(socket, "connect");
  const revoked = next(socket, "revoked");
  const lost = next(socket, "disconnect");
  server.connections[0].event("revoked", [{ reason: "logout" }]);
  server.connections[0].drop();
  assert.deepEqual(await revoked, [{ reason: "logout" }]);
  assert.equal((await lost)[0], "transport close");
  await sleep(SEVERAL_BACKOFF_PERIODS);
  assert.equal(server.connections.length, 1);
  assert.equal(socket.stopReason, "revoked");
  assert.equal(socket.active, false);
});

test("`auth_expired` with a fixed token: delivered, then no reconnection", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: { token: "good-token" } });
  await next(socket, "connect");
  const expired = next(socket, "auth_expired");
  server.connections[0].event("auth_expired", [{ code: "token_expired", message: "The access token has expired." }]);
  server.connections[0].drop();
  assert.deepEqual(await expired, [{ code: "token_expired", message: "The access token has expired." }]);
  await next(socket, "disconnect");
  await sleep(SEVERAL_BACKOFF_PERIODS);
  assert.equal(server.connections.length, 1);
  assert.equal(socket.stopReason, "auth_expired");
});

test("`auth_expired` with an auth function: reconnects with the token the function supplies then", async (t) => {
  const { server, connect } = await setUp(t);
  let issued = 0;
  const socket = connect({ auth: (send) => send({ token: "token-" + ++issued }) });
  await next(socket, "connect");
  server.connections[0].event("auth_expired", [{ code: "token_expired", message: "The access token has expired." }]);
  server.connections[0].drop();
  await next(socket.io, "reconnect", 3000);
  if (!socket.connected) await next(socket, "connect");
  assert.equal(socket.stopReason, null);
  assert.deepEqual(server.connections[1].packetsOfType(0)[0].data, { token: "token-2" });
});

test("`auth_expiring` is only an event: the socket stays connected and would still reconnect", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: { token: "good-token" } });
  await next(socket, "connect");
  const expiring = next(socket, "auth_expiring");
  server.connections[0].event("auth_expiring", [{ expires_in: 60 }]);
  assert.deepEqual(await expiring, [{ expires_in: 60 }]);
  assert.equal(socket.connected, true);
  assert.equal(socket.active, true);
  assert.equal(socket.stopReason, null);
  server.connections[0].drop();
  await next(socket.io, "reconnect", 3000);
});

test("refreshToken sends auth_refresh and, once accepted, uses the new token for the next CONNECT", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: { token: "old", client: "web" } });
  await next(socket, "connect");
  const connection = server.connections[0];
  connection.on("packet", (packet) => {
    if (packet.type === 2 && packet.data[0] === "auth_refresh") connection.sendSocket(`3${packet.id}[{"ok":true,"expires_in":900}]`);
  });
  const reply = await socket.refreshToken("new");
  assert.deepEqual(reply, { ok: true, expires_in: 900 });
  assert.deepEqual(connection.packetsOfType(2).map((p) => p.data), [["auth_refresh", { token: "new" }]]);
  assert.deepEqual(socket.auth, { token: "new", client: "web" });
  connection.drop();
  await next(socket.io, "reconnect", 3000);
  await until(() => server.connections[1].packetsOfType(0).length === 1);
  assert.deepEqual(server.connections[1].packetsOfType(0)[0].data, { token: "new", client: "web" });
});

test("a refused refreshToken rejects with the server's code and keeps the old token", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ auth: { token: "old" } });
  await next(socket, "connect");
  const connection = server.connections[0];
  connection.on("packet", (packet) => {
    if (packet.type === 2) {
      connection.sendSocket(`3${packet.id}[{"ok":false,"error":{"code":"token_invalid","message":"The token is not valid."}}]`);
    }
  });
  await assert.rejects(socket.refreshToken("forged"), (error) => {
    assert.equal(error.message, "The token is not valid.");
    assert.equal(error.code, "token_invalid");
    return true;
  });
  assert.deepEqual(socket.auth, { token: "old" });
  await assert.rejects(socket.refreshToken(""), /non-empty string/);
  assert.equal(connection.packetsOfType(2).length, 1, "an empty token is refused before anything is sent");
});

test("refreshToken without an answer rejects after its timeout", async (t) => {
  const { connect } = await setUp(t);
  const socket = connect({ auth: { token: "old" } });
  await next(socket, "connect");
  await assert.rejects(socket.refreshToken("new", { timeout: 50 }), { message: "operation has timed out" });
  assert.deepEqual(socket.auth, { token: "old" });
});

test("a Socket.IO DISCONNECT from the server ends the socket without reconnection", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  await next(socket, "connect");
  const lost = next(socket, "disconnect");
  server.connections[0].sendSocket("1");
  assert.equal((await lost)[0], "io server disconnect");
  await sleep(SEVERAL_BACKOFF_PERIODS);
  assert.equal(socket.active, false);
  assert.equal(server.connections.length, 1);
});

test("disconnect() sends DISCONNECT, closes the only namespace's connection, and does not reconnect", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect();
  await next(socket, "connect");
  const connection = server.connections[0];
  const lost = next(socket, "disconnect");
  socket.disconnect();
  assert.equal((await lost)[0], "io client disconnect");
  await until(() => connection.closed);
  assert.deepEqual(connection.packetsOfType(1), [{ type: 1, nsp: "/" }]);
  await sleep(SEVERAL_BACKOFF_PERIODS);
  assert.equal(server.connections.length, 1);
});

test("after reconnectionAttempts failed attempts it gives up with reconnect_failed", async (t) => {
  const { server, connect } = await setUp(t, { admits: (connection) => connection.sid === "eio-0" });
  const socket = connect({ reconnectionAttempts: 3 });
  await next(socket, "connect");
  const attempts = [];
  socket.io.on("reconnect_attempt", (n) => attempts.push(n));
  const failed = next(socket, "reconnect_failed", 3000);
  server.connections[0].drop();
  await failed;
  assert.deepEqual(attempts, [1, 2, 3]);
  await sleep(SEVERAL_BACKOFF_PERIODS);
  assert.equal(server.connections.length, 4);
});

test("with reconnection: false a dropped transport stays down", async (t) => {
  const { server, connect } = await setUp(t);
  const socket = connect({ reconnection: false });
  await next(socket, "connect");
  server.connections[0].drop();
  await next(socket, "disconnect");
  await sleep(SEVERAL_BACKOFF_PERIODS);
  assert.equal(server.connections.length, 1);
});
