// SPDX-License-Identifier: Apache-2.0
// A scripted Engine.IO v4 / Socket.IO v5 server over `ws` on 127.0.0.1, written from the protocol documents and
// independent of the client under test: it records what the client sends and lets each test decide what to answer.
"use strict";

const { EventEmitter } = require("node:events");
const { ws } = require("./client.js");

/** Parses the text of a Socket.IO packet the way a server would (type, attachments, namespace, id, JSON data). */
function parseSocketPacket(text) {
  let i = 1;
  const packet = { type: Number(text[0]), nsp: "/" };
  if (packet.type === 5 || packet.type === 6) {
    const dash = text.indexOf("-", i);
    packet.attachments = Number(text.slice(i, dash));
    i = dash + 1;
  }
  if (text[i] === "/") {
    const comma = text.indexOf(",", i);
    const end = comma < 0 ? text.length : comma;
    packet.nsp = text.slice(i, end);
    i = comma < 0 ? end : end + 1;
  }
  const id = /^[0-9]+/.exec(text.slice(i));
  if (id) {
    packet.id = Number(id[0]);
    i += id[0].length;
  }
  if (i < text.length) packet.data = JSON.parse(text.slice(i));
  return packet;
}

/** One Engine.IO session on one WebSocket. Events: `packet` (a parsed Socket.IO packet), `engine` (raw text), `close`. */
class Connection extends EventEmitter {
  constructor(server, socket, request) {
    super();
    this.server = server;
    this.ws = socket;
    this.url = new URL(request.url, "http://127.0.0.1");
    this.sid = "eio-" + server.connections.length;
    this.packets = [];
    this.engineText = [];
    this.pending = null;
    this.closed = false;
    socket.on("message", (data, isBinary) => this._receive(data, isBinary));
    socket.on("close", () => {
      this.closed = true;
      this.emit("close");
    });
  }

  handshake() {
    const { pingInterval, pingTimeout } = this.server.options;
    this.sendEngine("0" + JSON.stringify({ sid: this.sid, upgrades: [], pingInterval, pingTimeout, maxPayload: 1000000 }));
  }

  _receive(data, isBinary) {
    if (isBinary) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      this.pending.buffers.push(bytes);
      if (this.pending.buffers.length === this.pending.packet.attachments) {
        const { packet, buffers } = this.pending;
        this.pending = null;
        packet.buffers = buffers;
        this._packet(packet);
      }
      return;
    }
    const text = data.toString("utf8");
    this.engineText.push(text);
    this.emit("engine", text);
    if (text[0] !== "4") return;
    const packet = parseSocketPacket(text.slice(1));
    if (packet.attachments > 0) this.pending = { packet, buffers: [] };
    else this._packet(packet);
  }

  _packet(packet) {
    this.packets.push(packet);
    this.emit("packet", packet);
    if (packet.type === 0) this.server.options.onConnect(this, packet);
  }

  /** The packets of one Socket.IO type (0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 5 BINARY_EVENT, 6 BINARY_ACK). */
  packetsOfType(type) {
    return this.packets.filter((p) => p.type === type);
  }

  sendEngine(text) {
    if (!this.closed) this.ws.send(text);
  }

  /** Sends a Socket.IO packet given as its text after the Engine.IO `4` (e.g. `2["hello"]`), and binary attachments. */
  sendSocket(text, buffers = []) {
    this.sendEngine("4" + text);
    for (const buffer of buffers) if (!this.closed) this.ws.send(buffer);
  }

  accept(nsp = "/", sid = this.sid + nsp) {
    this.sendSocket("0" + (nsp === "/" ? "" : nsp + ",") + JSON.stringify({ sid }));
  }

  refuse(code, message = "Not authorized: " + code, nsp = "/") {
    this.sendSocket("4" + (nsp === "/" ? "" : nsp + ",") + JSON.stringify({ message, data: { code } }));
  }

  /** Emits `event` with `args` on namespace `/` (with an ack id when `id` is given). */
  event(event, args = [], id) {
    this.sendSocket("2" + (id === undefined ? "" : id) + JSON.stringify([event, ...args]));
  }

  /** Closes the WebSocket, as a server that drops the session does. */
  drop() {
    this.ws.close();
  }
}

/**
 * Accepts every WebSocket and sends the Engine.IO handshake (unless `admits(connection)` says no: then it closes the
 * WebSocket at once, like a server that is down), and calls `onConnect(connection, packet)` for each CONNECT (by
 * default: accept it). Emits `connection` for every WebSocket.
 */
class FakeServer extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = {
      pingInterval: 25000,
      pingTimeout: 20000,
      admits: () => true,
      onConnect: (connection, packet) => connection.accept(packet.nsp),
      ...options,
    };
    this.connections = [];
  }

  start() {
    return new Promise((resolve) => {
      this.wss = new ws.WebSocketServer({ host: "127.0.0.1", port: 0 });
      this.wss.on("connection", (socket, request) => {
        const connection = new Connection(this, socket, request);
        this.connections.push(connection);
        if (this.options.admits(connection)) connection.handshake();
        else connection.drop();
        this.emit("connection", connection);
      });
      this.wss.on("listening", () => {
        this.url = "http://127.0.0.1:" + this.wss.address().port;
        resolve(this);
      });
    });
  }

  /** The `n`-th session, once it exists. */
  async connection(n = 0, ms = 3000) {
    if (this.connections[n]) return this.connections[n];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection #${n} within ${ms} ms`)), ms);
      const check = () => {
        if (!this.connections[n]) return;
        clearTimeout(timer);
        this.off("connection", check);
        resolve(this.connections[n]);
      };
      this.on("connection", check);
    });
  }

  stop() {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

module.exports = { FakeServer, parseSocketPacket };
