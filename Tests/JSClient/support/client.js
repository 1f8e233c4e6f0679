// SPDX-License-Identifier: Apache-2.0
// The client under test, loaded from the file that `authd` embeds and serves (no copy), plus the `ws` module that
// stands in for the browser's WebSocket (Debian's node-ws; Node 20 has no global WebSocket).
"use strict";

const path = require("node:path");

const file = path.resolve(__dirname, "../../../Sources/RealtimeServer/Resources/authd-socket.js");
const client = require(file);

function loadWebSocket() {
  for (const candidate of ["ws", "/usr/share/nodejs/ws", "/usr/lib/nodejs/ws"]) {
    try {
      return require(candidate);
    } catch (error) {
      if (error.code !== "MODULE_NOT_FOUND") throw error;
    }
  }
  throw new Error("the `ws` module is missing: install Debian's node-ws (apt-get install node-ws) or set NODE_PATH");
}

module.exports = { file, client, ws: loadWebSocket() };
