// SPDX-License-Identifier: Apache-2.0
// Starts a FakeServer and a client on it for one test, and tears both down after it.
"use strict";

const { client, ws } = require("./client.js");
const { FakeServer } = require("./fake-server.js");

/**
 * A started server and a function making sockets on it: WebSocket only, a fresh connection per socket, short and
 * jitter-free reconnection delays (20 ms doubling to 80 ms) unless `opts` says otherwise.
 */
async function setUp(t, serverOptions = {}) {
  const server = await new FakeServer(serverOptions).start();
  const sockets = [];
  const connect = (opts = {}, nsp = "") => {
    const socket = client.io(server.url + nsp, {
      WebSocket: ws,
      transports: ["websocket"],
      forceNew: true,
      reconnectionDelay: 20,
      reconnectionDelayMax: 80,
      randomizationFactor: 0,
      ...opts,
    });
    sockets.push(socket);
    return socket;
  };
  t.after(async () => {
    for (const socket of sockets) socket.io.close();
    await server.stop();
  });
  return { server, connect };
}

module.exports = { setUp };
