// SPDX-License-Identifier: Apache-2.0
// A scripted Engine.IO v4 long-polling server (plain `http` on 127.0.0.1) with no WebSocket: GET without `sid` is the
// handshake, POST carries the client's packets, GET with `sid` waits until the test queues packets for the client.
"use strict";

const http = require("node:http");
const { parseSocketPacket } = require("./fake-server.js");

const SEPARATOR = "\x1e";

class FakePollingServer {
  constructor() {
    this.sid = "poll-0";
    this.requests = [];
    this.packets = [];
    this.binary = [];
    this.queue = [];
    this.waiting = null;
  }

  start() {
    this.server = http.createServer((request, response) => this._handle(request, response));
    return new Promise((resolve) => {
      this.server.listen(0, "127.0.0.1", () => {
        this.url = "http://127.0.0.1:" + this.server.address().port;
        resolve(this);
      });
    });
  }

  _handle(request, response) {
    const url = new URL(request.url, this.url);
    this.requests.push({ method: request.method, url });
    if (!url.searchParams.get("sid")) {
      const handshake = { sid: this.sid, upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 };
      return response.end("0" + JSON.stringify(handshake));
    }
    if (request.method === "GET") {
      this.waiting = response;
      return this._flush();
    }
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      this.posts = (this.posts || 0) + 1;
      for (const part of body.split(SEPARATOR)) {
        if (part[0] === "b") this.binary.push(Buffer.from(part.slice(1), "base64"));
        else if (part[0] === "4") this._receive(parseSocketPacket(part.slice(1)));
      }
      response.end("ok");
    });
  }

  _receive(packet) {
    this.packets.push(packet);
    if (packet.type === 0) this.send('40{"sid":"socket-' + this.sid + '"}');
  }

  /** Queues Engine.IO packets (text, or `b` + base64) for the next GET, which answers them in one payload. */
  send(...packets) {
    this.queue.push(...packets);
    this._flush();
  }

  _flush() {
    if (!this.waiting || this.queue.length === 0) return;
    const response = this.waiting;
    this.waiting = null;
    response.end(this.queue.splice(0).join(SEPARATOR));
  }

  stop() {
    if (this.waiting) this.waiting.end("1");
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

module.exports = { FakePollingServer };
