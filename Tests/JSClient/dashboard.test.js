// SPDX-License-Identifier: Apache-2.0
// dashboard.js (the /dashboard page script) on a minimal stand-in DOM, with the real authd-socket.js client against the
// scripted server: what the page shows for each connection state and for authd's codes and events.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { client, ws } = require("./support/client.js");
const { FakeServer } = require("./support/fake-server.js");
const { next, until } = require("./support/wait.js");

const source = fs.readFileSync(path.resolve(__dirname, "../../Sources/RealtimeServer/Resources/dashboard.js"), "utf8");
const IDS = ["connection-status", "server-response", "secret-message", "get-secret", "realtime-alert", "realtime-alert-text", "realtime-login"];

/** The elements of the dashboard template that the script uses, with the state they start in. */
function fakeDocument() {
  const elements = {};
  for (const id of IDS) {
    elements[id] = { id, textContent: "", dataset: {}, hidden: false, disabled: false, listeners: {} };
    elements[id].addEventListener = (type, fn) => (elements[id].listeners[type] = fn);
  }
  elements["get-secret"].disabled = true;
  elements["realtime-alert"].hidden = true;
  elements["realtime-login"].hidden = true;
  return { elements, getElementById: (id) => elements[id] || null };
}

/** Runs dashboard.js against `server`, as the page does (same options), and returns its elements and socket. */
async function openDashboard(t, serverOptions) {
  const server = await new FakeServer(serverOptions).start();
  const document = fakeDocument();
  let socket;
  let options;
  const AuthdSocket = {
    io(opts) {
      options = { ...opts }; // a copy in this realm: the script's objects come from the vm context
      socket = client.io(server.url, { ...opts, WebSocket: ws, transports: ["websocket"], forceNew: true, reconnectionDelay: 20 });
      return socket;
    },
  };
  vm.runInNewContext(source, { document, window: { AuthdSocket } }, { filename: "dashboard.js" });
  t.after(async () => {
    if (socket) socket.io.close();
    await server.stop();
  });
  assert.deepEqual(options, { path: "/socket.io/", reconnectionDelayMax: 10000 }, "the page's own io() options");
  return { server, socket, el: document.elements };
}

test("connected: the state, the server's greeting, and the button enabled", async (t) => {
  const { server, socket, el } = await openDashboard(t);
  assert.equal(el["connection-status"].dataset.state, "connecting");
  await next(socket, "connect");
  assert.equal(el["connection-status"].textContent, "Connected");
  assert.equal(el["connection-status"].dataset.state, "connected");
  assert.equal(el["get-secret"].disabled, false);
  server.connections[0].event("server_response", [{ message: "Connected as ada" }]);
  await until(() => el["server-response"].textContent === "Connected as ada");
  assert.equal(el["realtime-alert"].hidden, true);
});

test("the button asks for the secret with an ack and shows the answer", async (t) => {
  const { server, socket, el } = await openDashboard(t);
  await next(socket, "connect");
  const connection = server.connections[0];
  connection.on("packet", (packet) => {
    if (packet.type === 2 && packet.data[0] === "get_secret") connection.sendSocket(`3${packet.id}[{"message":"[Secret Code: 0badf00d]"}]`);
  });
  el["get-secret"].listeners.click();
  assert.equal(el["get-secret"].disabled, true);
  assert.equal(el["secret-message"].textContent, "Asking the server…");
  await until(() => el["secret-message"].textContent === "[Secret Code: 0badf00d]");
  await until(() => el["get-secret"].disabled === false);
});

const refusals = {
  token_missing: "You are not signed in. Please log in again.",
  token_expired: "Your session has expired. Please log in again.",
  token_invalid: "Your session is not valid. Please log in again.",
  token_revoked: "Your session was ended. Please log in again.",
  session_invalid: "Your session is no longer valid. Please log in again.",
};
for (const [code, message] of Object.entries(refusals)) {
  test(`CONNECT_ERROR ${code}: "Not connected" and an alert with a link to log in`, async (t) => {
    const { socket, el } = await openDashboard(t, {
      onConnect(connection) {
        connection.refuse(code);
        connection.drop();
      },
    });
    await next(socket, "connect_error");
    assert.equal(el["connection-status"].textContent, "Not connected");
    assert.equal(el["connection-status"].dataset.state, "disconnected");
    assert.equal(el["realtime-alert"].hidden, false);
    assert.equal(el["realtime-alert-text"].textContent, message);
    assert.equal(el["realtime-login"].hidden, false);
    assert.equal(el["get-secret"].disabled, true);
  });
}

test("a CONNECT_ERROR with another code says it is retrying, without an alert", async (t) => {
  let refused = false;
  const { socket, el } = await openDashboard(t, {
    onConnect(connection) {
      if (refused) return connection.accept();
      refused = true;
      connection.refuse("server_busy");
      connection.drop();
    },
  });
  await next(socket, "connect_error");
  assert.equal(el["connection-status"].textContent, "Cannot reach the server, retrying…");
  assert.equal(el["connection-status"].dataset.state, "reconnecting");
  assert.equal(el["realtime-alert"].hidden, true);
  await next(socket, "connect", 3000);
  assert.equal(el["connection-status"].textContent, "Connected");
});

test("`revoked`: signed out, with the reason, a link to log in, and the button disabled", async (t) => {
  const { server, socket, el } = await openDashboard(t);
  await next(socket, "connect");
  server.connections[0].event("server_response", [{ message: "Connected as ada" }]);
  server.connections[0].event("revoked", [{ reason: "logout" }]);
  server.connections[0].drop();
  await next(socket, "disconnect");
  assert.equal(el["realtime-alert-text"].textContent, "You have been signed out (logout). Please log in again.");
  assert.equal(el["realtime-login"].hidden, false);
  assert.equal(el["server-response"].textContent, "", "the greeting is cleared when the user must log in again");
  assert.equal(el["connection-status"].textContent, "Disconnected");
  assert.equal(el["get-secret"].disabled, true);
});

test("`auth_expired`: the session has expired, with the server's message", async (t) => {
  const { server, socket, el } = await openDashboard(t);
  await next(socket, "connect");
  server.connections[0].event("auth_expired", [{ code: "token_expired", message: "The session ended at 12:00" }]);
  server.connections[0].drop();
  await next(socket, "disconnect");
  assert.equal(el["realtime-alert-text"].textContent, "Your session has expired (The session ended at 12:00). Please log in again.");
  assert.equal(el["connection-status"].textContent, "Disconnected");
});

test("a lost connection that will be retried says so, and recovers", async (t) => {
  const { server, socket, el } = await openDashboard(t);
  await next(socket, "connect");
  server.connections[0].drop();
  await next(socket, "disconnect");
  assert.equal(el["connection-status"].textContent, "Connection lost, reconnecting…");
  assert.equal(el["connection-status"].dataset.state, "reconnecting");
  assert.equal(el["get-secret"].disabled, true);
  await next(socket, "connect", 3000);
  assert.equal(el["connection-status"].textContent, "Connected");
});
