/* SPDX-License-Identifier: Apache-2.0 */
/*
 * authd-socket.js: a small, dependency-free Engine.IO v4 / Socket.IO v5 client (ES2020, no eval, CSP-safe).
 *
 *   const socket = AuthdSocket.io();                          // same origin, path /socket.io/, namespace "/"
 *   const socket = AuthdSocket.io("https://host/admin", { auth: { token } });
 *   socket.on("connect", () => {});
 *   socket.on("server_response", (data) => {});
 *   const reply = await socket.timeout(5000).emitWithAck("get_secret", {});
 *   await socket.refreshToken(newToken);                      // emits auth_refresh, resolves with the ack
 *   socket.disconnect();
 *
 * Transports: WebSocket first, long-polling (fetch) when WebSocket fails; `transports: ["polling", "websocket"]` starts
 * on polling and upgrades to WebSocket; `transports: ["polling"]` forces polling.
 * Reconnects with exponential backoff and jitter, except after `revoked`, after a server-side Socket.IO disconnect,
 * or after a CONNECT_ERROR whose `data.code` says retrying cannot help (see `fatalCodes`).
 */
(function (root, factory) {
  "use strict";
  const api = factory(root);
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  } else {
    root.AuthdSocket = api;
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function (root) {
  "use strict";

  const VERSION = "1.0.0";
  const RESERVED = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);
  const EIO = { OPEN: "0", CLOSE: "1", PING: "2", PONG: "3", MESSAGE: "4", UPGRADE: "5", NOOP: "6" };
  const SIO = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 };
  const SEPARATOR = "\x1e";
  const MAX_ATTACHMENTS = 64;
  const DEFAULT_FATAL_CODES = ["token_missing", "token_invalid", "token_revoked", "session_invalid", "token_expired"];

  // MARK: Emitter

  /** A minimal event emitter: on, once, off, emit (listener errors are reported, never thrown into the transport). */
  class Emitter {
    constructor() {
      this._listeners = new Map();
    }
    on(event, fn) {
      if (typeof fn !== "function") throw new TypeError("listener must be a function");
      if (!this._listeners.has(event)) this._listeners.set(event, []);
      this._listeners.get(event).push(fn);
      return this;
    }
    once(event, fn) {
      const wrapper = (...args) => {
        this.off(event, wrapper);
        fn.apply(this, args);
      };
      wrapper.listener = fn;
      return this.on(event, wrapper);
    }
    off(event, fn) {
      if (event === undefined) {
        this._listeners.clear();
        return this;
      }
      if (fn === undefined) {
        this._listeners.delete(event);
        return this;
      }
      const list = this._listeners.get(event);
      if (list) {
        const index = list.findIndex((l) => l === fn || l.listener === fn);
        if (index >= 0) list.splice(index, 1);
      }
      return this;
    }
    listeners(event) {
      return (this._listeners.get(event) || []).slice();
    }
    _fire(event, ...args) {
      for (const fn of this.listeners(event)) {
        try {
          fn.apply(this, args);
        } catch (error) {
          reportError(error);
        }
      }
      return this;
    }
  }

  function reportError(error) {
    if (root.console && typeof root.console.error === "function") root.console.error(error);
  }

  function makeError(message, fields) {
    const error = new Error(message);
    if (fields) Object.assign(error, fields);
    return error;
  }

  // MARK: Binary helpers

  function isBinary(value) {
    return (
      (typeof ArrayBuffer !== "undefined" && (value instanceof ArrayBuffer || ArrayBuffer.isView(value))) ||
      (typeof Blob !== "undefined" && value instanceof Blob)
    );
  }

  function toArrayBuffer(value) {
    if (value instanceof ArrayBuffer) return value;
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  }

  function base64Encode(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return root.btoa(text);
  }

  function base64Decode(text) {
    const binary = root.atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function hasBinary(value, depth) {
    if (depth > 64 || value === null || typeof value !== "object") return false;
    if (isBinary(value)) return true;
    if (typeof value.toJSON === "function" && !Array.isArray(value)) return false;
    const items = Array.isArray(value) ? value : Object.values(value);
    return items.some((item) => hasBinary(item, depth + 1));
  }

  /** Replaces binary values by `{_placeholder: true, num}` and collects them (Socket.IO v5 binary packets). */
  function deconstruct(value, buffers, depth) {
    if (depth > 64) throw makeError("payload is nested too deeply");
    if (value === null || typeof value !== "object") return value;
    if (typeof Blob !== "undefined" && value instanceof Blob) throw makeError("Blob payloads are not supported; send an ArrayBuffer");
    if (isBinary(value)) {
      buffers.push(toArrayBuffer(value));
      return { _placeholder: true, num: buffers.length - 1 };
    }
    if (Array.isArray(value)) return value.map((item) => deconstruct(item, buffers, depth + 1));
    if (typeof value.toJSON === "function") return value;
    const out = {};
    for (const key of Object.keys(value)) out[key] = deconstruct(value[key], buffers, depth + 1);
    return out;
  }

  function reconstruct(value, buffers, depth) {
    if (depth > 64 || value === null || typeof value !== "object") return value;
    if (value._placeholder === true && Number.isInteger(value.num)) {
      if (value.num < 0 || value.num >= buffers.length) throw makeError("illegal attachment index");
      return buffers[value.num];
    }
    if (Array.isArray(value)) return value.map((item) => reconstruct(item, buffers, depth + 1));
    const out = {};
    for (const key of Object.keys(value)) out[key] = reconstruct(value[key], buffers, depth + 1);
    return out;
  }

  // MARK: Socket.IO packet codec

  /** Encodes a Socket.IO packet into one string and zero or more binary attachments. */
  function encodeSocketPacket(packet) {
    let type = packet.type;
    let data = packet.data;
    const buffers = [];
    if ((type === SIO.EVENT || type === SIO.ACK) && hasBinary(data, 0)) {
      type = type === SIO.EVENT ? SIO.BINARY_EVENT : SIO.BINARY_ACK;
      data = deconstruct(data, buffers, 0);
    }
    let text = String(type);
    if (type === SIO.BINARY_EVENT || type === SIO.BINARY_ACK) text += buffers.length + "-";
    if (packet.nsp && packet.nsp !== "/") text += packet.nsp + ",";
    if (packet.id !== undefined) text += packet.id;
    if (data !== undefined) text += JSON.stringify(data);
    return { text, buffers };
  }

  /** Decodes the string part of a Socket.IO packet; throws on malformed input. */
  function decodeSocketPacket(text) {
    let i = 0;
    const type = Number(text.charAt(0));
    if (!(text.length > 0 && type >= 0 && type <= 6)) throw makeError("unknown packet type");
    i = 1;
    const packet = { type, nsp: "/", attachments: 0 };
    if (type === SIO.BINARY_EVENT || type === SIO.BINARY_ACK) {
      const dash = text.indexOf("-", i);
      const count = text.substring(i, dash);
      if (dash < 0 || !/^[0-9]{1,3}$/.test(count)) throw makeError("illegal attachments");
      packet.attachments = Number(count);
      if (packet.attachments > MAX_ATTACHMENTS) throw makeError("too many attachments");
      i = dash + 1;
    }
    if (text.charAt(i) === "/") {
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? text.length : comma;
      packet.nsp = text.substring(i, end);
      i = comma < 0 ? end : end + 1;
    }
    const idStart = i;
    while (i < text.length && i - idStart < 16 && text.charAt(i) >= "0" && text.charAt(i) <= "9") i++;
    if (i > idStart) packet.id = Number(text.substring(idStart, i));
    if (i < text.length) {
      try {
        packet.data = JSON.parse(text.substring(i));
      } catch (error) {
        throw makeError("invalid payload");
      }
    }
    const data = packet.data;
    const valid = {
      [SIO.CONNECT]: data === undefined || (typeof data === "object" && data !== null && !Array.isArray(data)),
      [SIO.DISCONNECT]: data === undefined,
      [SIO.EVENT]: Array.isArray(data) && data.length > 0 && typeof data[0] === "string",
      [SIO.ACK]: Array.isArray(data) && packet.id !== undefined,
      [SIO.CONNECT_ERROR]: typeof data === "string" || (typeof data === "object" && data !== null && !Array.isArray(data)),
      [SIO.BINARY_EVENT]: Array.isArray(data) && data.length > 0 && typeof data[0] === "string",
      [SIO.BINARY_ACK]: Array.isArray(data) && packet.id !== undefined,
    }[type];
    if (!valid) throw makeError("invalid payload for packet type " + type);
    return packet;
  }

  // MARK: Engine.IO transports

  function buildURL(base, path, query) {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** WebSocket transport: text frames carry one Engine.IO packet, binary frames one binary message. */
  class WebSocketTransport extends Emitter {
    constructor(engine, query) {
      super();
      this.name = "websocket";
      this.engine = engine;
      this.query = query;
      this.ws = null;
      this.writable = false;
    }
    open() {
      const Ctor = this.engine.opts.WebSocket || root.WebSocket;
      if (typeof Ctor !== "function") {
        queueMicrotask(() => this._fire("error", makeError("WebSocket is not available")));
        return;
      }
      const url = buildURL(this.engine.base, this.engine.opts.path, { ...this.query, EIO: 4, transport: "websocket" });
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      try {
        this.ws = new Ctor(url.toString());
      } catch (error) {
        queueMicrotask(() => this._fire("error", error));
        return;
      }
      this.ws.binaryType = "arraybuffer";
      this.ws.onopen = () => {
        this.writable = true;
        this._fire("open");
      };
      this.ws.onmessage = (event) => this._receive(event.data);
      this.ws.onerror = () => this._fire("error", makeError("websocket error"));
      this.ws.onclose = (event) => this._closed("transport close", event && event.code);
    }
    _receive(data) {
      if (typeof data === "string") {
        this._fire("packet", { type: data.charAt(0), data: data.substring(1) });
      } else if (data instanceof ArrayBuffer) {
        this._fire("packet", { type: EIO.MESSAGE, data, binary: true });
      } else if (ArrayBuffer.isView(data)) {
        this._fire("packet", { type: EIO.MESSAGE, data: toArrayBuffer(data), binary: true });
      }
    }
    send(packets) {
      for (const packet of packets) {
        if (packet.binary) this.ws.send(packet.data);
        else this.ws.send(packet.type + (packet.data || ""));
      }
      this._fire("drain");
    }
    _closed(reason, code) {
      if (this.closed) return;
      this.closed = true;
      this.writable = false;
      this._fire("close", reason, code);
    }
    close() {
      if (this.ws) {
        this.ws.onopen = this.ws.onmessage = this.ws.onerror = this.ws.onclose = null;
        try {
          this.ws.close();
        } catch (error) {
          /* already closed */
        }
      }
      this.closed = true;
    }
  }

  /** Long-polling transport over fetch: one GET in flight to receive, one POST in flight to send. */
  class PollingTransport extends Emitter {
    constructor(engine, query) {
      super();
      this.name = "polling";
      this.engine = engine;
      this.query = query;
      this.writable = false;
      this.aborter = typeof AbortController === "function" ? new AbortController() : null;
      this.requests = 0;
    }
    _url() {
      const query = { ...this.query, EIO: 4, transport: "polling", t: Date.now().toString(36) + "-" + this.requests++ };
      if (this.engine.id) query.sid = this.engine.id;
      return buildURL(this.engine.base, this.engine.opts.path, query).toString();
    }
    _request(method, body) {
      const init = {
        method,
        cache: "no-store",
        credentials: this.engine.opts.withCredentials ? "include" : "same-origin",
        signal: this.aborter ? this.aborter.signal : undefined,
      };
      if (body !== undefined) {
        init.body = body;
        init.headers = { "Content-Type": "text/plain;charset=UTF-8" };
      }
      return root.fetch(this._url(), init).then((response) => {
        if (!response.ok) throw makeError("polling " + method + " failed with HTTP " + response.status, { status: response.status });
        return response.text();
      });
    }
    open() {
      if (typeof root.fetch !== "function") {
        queueMicrotask(() => this._fire("error", makeError("fetch is not available")));
        return;
      }
      this.writable = true;
      queueMicrotask(() => this._fire("open"));
      this._poll();
    }
    _poll() {
      if (this.closed) return;
      if (this.paused) {
        this._checkPaused();
        return;
      }
      this.polling = true;
      this._request("GET").then(
        (text) => {
          this.polling = false;
          if (this.closed) return;
          for (const part of text.split(SEPARATOR)) {
            if (this.closed) return;
            if (part.length === 0) continue;
            if (part.charAt(0) === "b") {
              let data;
              try {
                data = base64Decode(part.substring(1));
              } catch (error) {
                this._fire("error", makeError("invalid base64 packet"));
                return;
              }
              this._fire("packet", { type: EIO.MESSAGE, data, binary: true });
            } else {
              const packet = { type: part.charAt(0), data: part.substring(1) };
              if (packet.type === EIO.CLOSE) {
                this._closed("transport close");
                return;
              }
              this._fire("packet", packet);
            }
          }
          this._poll();
        },
        (error) => {
          this.polling = false;
          if (!this.closed) this._fire("error", error);
        }
      );
    }
    send(packets) {
      this.writable = false;
      this.posting = true;
      const body = packets.map((p) => (p.binary ? "b" + base64Encode(p.data) : p.type + (p.data || ""))).join(SEPARATOR);
      this._request("POST", body).then(
        () => {
          this.posting = false;
          if (this.closed) return;
          if (this.paused) {
            this._checkPaused();
            return;
          }
          this.writable = true;
          this._fire("drain");
        },
        (error) => {
          if (!this.closed) this._fire("error", error);
        }
      );
    }
    _closed(reason) {
      if (this.closed) return;
      this.closed = true;
      this.writable = false;
      if (this.aborter) this.aborter.abort();
      this._fire("close", reason);
    }
    /** Stops polling for an upgrade: calls `onPaused` once no GET or POST is in flight (the server ends the GET with a noop). */
    pause(onPaused) {
      this.paused = true;
      this.writable = false;
      this.onPaused = onPaused;
      this._checkPaused();
    }
    _checkPaused() {
      if (this.paused && !this.polling && !this.posting && this.onPaused) {
        const callback = this.onPaused;
        this.onPaused = null;
        callback();
      }
    }
    /** Drops the transport after an upgrade, without sending a CLOSE packet. */
    discard() {
      this.closed = true;
      this.writable = false;
      this.off();
      if (this.aborter) this.aborter.abort();
    }
    close() {
      if (this.closed) return;
      if (this.engine.id && this.writable) {
        this._request("POST", EIO.CLOSE).catch(() => {});
      }
      this.closed = true;
      this.writable = false;
      setTimeout(() => {
        if (this.aborter) this.aborter.abort();
      }, 0);
    }
  }

  // MARK: Engine.IO connection

  /**
   * One Engine.IO session: handshake, heartbeat (answers pings, closes with "ping timeout" when no ping arrives within
   * pingInterval + pingTimeout), write buffering, and WebSocket→polling fallback before the handshake completes.
   * Events: open, message(stringOrArrayBuffer), close(reason, description), error.
   */
  class Engine extends Emitter {
    constructor(base, opts) {
      super();
      this.base = base;
      this.opts = opts;
      this.id = null;
      this.readyState = "closed";
      this.writeBuffer = [];
      this.transportIndex = 0;
    }
    open() {
      this.readyState = "opening";
      this.transportIndex = 0;
      this._tryTransport();
    }
    _tryTransport() {
      const names = this.opts.transports;
      if (this.transportIndex >= names.length) {
        this._onClose("transport error", makeError("no transport could connect"));
        return;
      }
      const name = names[this.transportIndex];
      const query = { ...(this.opts.query || {}) };
      const transport = name === "polling" ? new PollingTransport(this, query) : new WebSocketTransport(this, query);
      this.id = null;
      this._attach(transport);
      transport.open();
    }
    _attach(transport) {
      this.transport = transport;
      transport.on("packet", (packet) => this._onPacket(packet));
      transport.on("drain", () => this._flush());
      transport.on("error", (error) => this._onTransportError(transport, error));
      transport.on("close", (reason) => {
        if (this.transport === transport) this._onTransportClosed(transport, reason);
      });
    }
    /**
     * Polling → WebSocket upgrade: probe with `2probe`/`3probe` on a WebSocket with this session id, pause polling,
     * then send `5` and switch. A failed probe leaves the session on polling.
     */
    _probe() {
      const probe = new WebSocketTransport(this, { ...(this.opts.query || {}), sid: this.id });
      this.probeTransport = probe;
      let finished = false;
      const fail = () => {
        if (finished) return;
        finished = true;
        this.probeTransport = null;
        probe.close();
        this._fire("upgrade_error");
      };
      probe.on("error", fail);
      probe.on("close", fail);
      probe.on("open", () => probe.ws.send(EIO.PING + "probe"));
      probe.on("packet", (packet) => {
        if (finished) return;
        if (packet.type !== EIO.PONG || packet.data !== "probe") return fail();
        finished = true;
        const polling = this.transport;
        if (this.readyState !== "open" || !polling || polling.name !== "polling") return probe.close();
        polling.pause(() => {
          if (this.readyState !== "open" || this.transport !== polling || probe.closed) {
            probe.close();
            return;
          }
          this.probeTransport = null;
          probe.off();
          probe.ws.send(EIO.UPGRADE);
          polling.discard();
          this._attach(probe);
          this._fire("upgrade", probe.name);
          this._flush();
        });
      });
      probe.open();
    }
    _onTransportError(transport, error) {
      if (this.transport !== transport) return;
      this._onTransportClosed(transport, "transport error", error);
    }
    _onTransportClosed(transport, reason, error) {
      if (this.transport !== transport) return;
      if (this.readyState === "opening" && this.transportIndex + 1 < this.opts.transports.length) {
        transport.close();
        this.transportIndex++;
        this._fire("fallback", this.opts.transports[this.transportIndex], error);
        this._tryTransport();
        return;
      }
      this._onClose(reason, error);
    }
    _onPacket(packet) {
      if (this.readyState === "closed") return;
      switch (packet.type) {
        case EIO.OPEN:
          this._onHandshake(packet.data);
          break;
        case EIO.PING:
          this._resetPingTimer();
          this._sendPacket({ type: EIO.PONG, data: packet.data });
          this._fire("ping");
          break;
        case EIO.MESSAGE:
          if (this.readyState === "open") this._fire("message", packet.data);
          break;
        case EIO.CLOSE:
          this._onClose("transport close");
          break;
        case EIO.NOOP:
        case EIO.PONG:
          break;
        default:
          this._onClose("parse error", makeError("unknown Engine.IO packet type"));
      }
    }
    _onHandshake(text) {
      let handshake;
      try {
        handshake = JSON.parse(text);
      } catch (error) {
        handshake = null;
      }
      if (!handshake || typeof handshake.sid !== "string" || !Number.isFinite(handshake.pingInterval)) {
        this._onClose("parse error", makeError("invalid handshake"));
        return;
      }
      this.id = handshake.sid;
      this.pingInterval = handshake.pingInterval;
      this.pingTimeout = Number.isFinite(handshake.pingTimeout) ? handshake.pingTimeout : 20000;
      this.maxPayload = Number.isFinite(handshake.maxPayload) ? handshake.maxPayload : 1000000;
      this.readyState = "open";
      this._resetPingTimer();
      this._fire("open", this.transport.name);
      this._flush();
      const upgrades = Array.isArray(handshake.upgrades) ? handshake.upgrades : [];
      // Upgrade only when polling was the first choice (not after WebSocket already failed).
      if (this.opts.upgrade !== false && this.transport.name === "polling" && this.opts.transports[0] === "polling" &&
        upgrades.includes("websocket") && this.opts.transports.includes("websocket")) {
        this._probe();
      }
    }
    _resetPingTimer() {
      clearTimeout(this.pingTimer);
      this.pingTimer = setTimeout(() => this._onClose("ping timeout"), this.pingInterval + this.pingTimeout);
    }
    /** Queues an Engine.IO message: a string, or an ArrayBuffer sent as binary. */
    send(data) {
      if (typeof data === "string") this._sendPacket({ type: EIO.MESSAGE, data });
      else this._sendPacket({ type: EIO.MESSAGE, data: toArrayBuffer(data), binary: true });
    }
    _sendPacket(packet) {
      if (this.readyState === "closed" || this.readyState === "closing") return;
      this.writeBuffer.push(packet);
      this._flush();
    }
    _flush() {
      if (this.readyState !== "open" || !this.transport || !this.transport.writable || this.writeBuffer.length === 0) return;
      let count = 0;
      let size = 0;
      if (this.transport.name === "polling") {
        for (const packet of this.writeBuffer) {
          size += packet.binary ? Math.ceil(packet.data.byteLength / 3) * 4 + 2 : (packet.data || "").length * 3 + 2;
          if (count > 0 && size > this.maxPayload) break;
          count++;
        }
      } else {
        count = this.writeBuffer.length;
      }
      const packets = this.writeBuffer.splice(0, count);
      this.transport.send(packets);
    }
    /** Closes the session (sends a CLOSE packet when possible). */
    close() {
      if (this.readyState === "closed") return;
      if (this.readyState === "open" && this.transport && this.transport.name === "websocket" && this.transport.writable) {
        try {
          this.transport.ws.send(EIO.CLOSE);
        } catch (error) {
          /* closing anyway */
        }
      }
      this._onClose("forced close");
    }
    _onClose(reason, error) {
      if (this.readyState === "closed") return;
      this.readyState = "closed";
      clearTimeout(this.pingTimer);
      const transport = this.transport;
      this.transport = null;
      this.writeBuffer = [];
      if (transport) transport.close();
      if (this.probeTransport) {
        this.probeTransport.off();
        this.probeTransport.close();
        this.probeTransport = null;
      }
      this.id = null;
      this._fire("close", reason, error);
    }
  }

  // MARK: Backoff

  /** Exponential backoff with jitter, as in socket.io-client: min * 2^attempt ± jitter, capped at max. */
  class Backoff {
    constructor(min, max, jitter) {
      this.min = min;
      this.max = max;
      this.jitter = Math.min(Math.max(jitter, 0), 1);
      this.attempts = 0;
    }
    duration() {
      let ms = this.min * Math.pow(2, Math.min(this.attempts++, 30));
      if (this.jitter) {
        const rand = Math.random();
        const deviation = Math.floor(rand * this.jitter * ms);
        ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
      }
      return Math.min(ms, this.max) | 0;
    }
    reset() {
      this.attempts = 0;
    }
  }

  // MARK: Manager

  /**
   * Owns one Engine.IO connection shared by the sockets of every namespace on it, and reconnects it.
   * Events: open, close(reason), error(err), reconnect_attempt(n), reconnect(n), reconnect_failed, transport_fallback(name),
   * upgrade(name), upgrade_error, ping.
   */
  class Manager extends Emitter {
    constructor(base, opts) {
      super();
      this.base = base;
      this.opts = opts;
      this.nsps = new Map();
      this.readyState = "closed";
      this.backoff = new Backoff(opts.reconnectionDelay, opts.reconnectionDelayMax, opts.randomizationFactor);
      this.reconnecting = false;
      this.skipReconnect = false;
      this.decoding = null;
    }
    /** The socket of namespace `nsp` on this connection (created on first use). */
    socket(nsp, opts) {
      let socket = this.nsps.get(nsp);
      if (!socket) {
        socket = new Socket(this, nsp, opts || {});
        this.nsps.set(nsp, socket);
      }
      return socket;
    }
    open(callback) {
      if (this.readyState === "open" || this.readyState === "opening") {
        if (callback && this.readyState === "open") callback();
        return this;
      }
      this.readyState = "opening";
      this.skipReconnect = false;
      const engine = new Engine(this.base, this.opts);
      this.engine = engine;
      let opened = false;
      const timer =
        this.opts.timeout > 0
          ? setTimeout(() => {
              if (!opened && this.engine === engine) engine._onClose("timeout", makeError("connection timed out"));
            }, this.opts.timeout)
          : null;
      engine.on("open", (transportName) => {
        opened = true;
        clearTimeout(timer);
        this.readyState = "open";
        this.decoding = null;
        this._fire("open", transportName);
        if (callback) callback();
        for (const socket of this.nsps.values()) socket._onOpen();
      });
      engine.on("fallback", (name, error) => this._fire("transport_fallback", name, error));
      engine.on("upgrade", (name) => this._fire("upgrade", name));
      engine.on("upgrade_error", () => this._fire("upgrade_error"));
      engine.on("message", (data) => this._onEngineMessage(data));
      engine.on("ping", () => this._fire("ping"));
      engine.on("close", (reason, error) => {
        clearTimeout(timer);
        if (this.engine !== engine) return;
        this._onEngineClose(reason, error, opened);
      });
      engine.open();
      return this;
    }
    _onEngineMessage(data) {
      try {
        if (typeof data === "string") {
          if (this.decoding) throw makeError("text packet while waiting for binary attachments");
          const packet = decodeSocketPacket(data);
          if (packet.attachments > 0) {
            this.decoding = { packet, buffers: [] };
            return;
          }
          this._dispatch(packet);
        } else {
          if (!this.decoding) throw makeError("unexpected binary packet");
          this.decoding.buffers.push(data);
          if (this.decoding.buffers.length === this.decoding.packet.attachments) {
            const { packet, buffers } = this.decoding;
            this.decoding = null;
            packet.data = reconstruct(packet.data, buffers, 0);
            this._dispatch(packet);
          }
        }
      } catch (error) {
        this.decoding = null;
        this._fire("error", error);
        if (this.engine) this.engine._onClose("parse error", error);
      }
    }
    _dispatch(packet) {
      const socket = this.nsps.get(packet.nsp);
      if (socket) socket._onPacket(packet);
    }
    _packet(packet) {
      if (!this.engine || this.readyState !== "open") return false;
      const { text, buffers } = encodeSocketPacket(packet);
      this.engine.send(text);
      for (const buffer of buffers) this.engine.send(buffer);
      return true;
    }
    _onEngineClose(reason, error, opened) {
      this.readyState = "closed";
      this.engine = null;
      this.decoding = null;
      if (!opened) {
        this._fire("error", error || makeError(reason));
        for (const socket of this.nsps.values()) socket._onManagerError(error || makeError(reason));
      }
      this._fire("close", reason, error);
      for (const socket of this.nsps.values()) socket._onTransportClose(reason, error);
      this._maybeReconnect();
    }
    _maybeReconnect() {
      if (this.skipReconnect || !this.opts.reconnection) return;
      const wanted = Array.from(this.nsps.values()).some((s) => s.active);
      if (!wanted || this.reconnecting) return;
      if (this.backoff.attempts >= this.opts.reconnectionAttempts) {
        this.backoff.reset();
        this._fire("reconnect_failed");
        for (const socket of this.nsps.values()) socket._fire("reconnect_failed");
        return;
      }
      const delay = this.backoff.duration();
      this.reconnecting = true;
      this._fire("reconnect_scheduled", delay);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (this.skipReconnect) {
          this.reconnecting = false;
          return;
        }
        const attempt = this.backoff.attempts;
        this._fire("reconnect_attempt", attempt);
        this.open(() => {
          this.reconnecting = false;
          this.backoff.reset();
          this._fire("reconnect", attempt);
        });
        // Failure lands in _onEngineClose, which schedules the next attempt.
        this.reconnecting = false;
      }, delay);
    }
    /** Called by a socket that no longer wants the connection; closes it when no namespace is active. */
    _release() {
      if (Array.from(this.nsps.values()).some((s) => s.active)) return;
      this.close();
    }
    close() {
      this.skipReconnect = true;
      this.reconnecting = false;
      clearTimeout(this.reconnectTimer);
      this.backoff.reset();
      if (this.engine) this.engine.close();
      this.readyState = "closed";
    }
  }

  // MARK: Socket

  /**
   * A Socket.IO socket on one namespace. Reserved events: connect, connect_error(err), disconnect(reason).
   * authd events handled here: `revoked` and `auth_expired` stop reconnection (unless `auth` is a function that can
   * supply a fresh token for `auth_expired`).
   */
  class Socket extends Emitter {
    constructor(manager, nsp, opts) {
      super();
      this.io = manager;
      this.nsp = nsp;
      this.auth = opts.auth !== undefined ? opts.auth : manager.opts.auth;
      this.fatalCodes = new Set(opts.fatalCodes || manager.opts.fatalCodes || DEFAULT_FATAL_CODES);
      this.ackTimeout = opts.ackTimeout !== undefined ? opts.ackTimeout : manager.opts.ackTimeout;
      this.id = undefined;
      this.connected = false;
      this.active = false;
      this.sendBuffer = [];
      this.receiveBuffer = [];
      this.acks = new Map();
      this.nextAckId = 0;
      this.stopReason = null;
      this._flags = {};
      this._self = this;
    }
    get disconnected() {
      return !this.connected;
    }
    /** Opens the connection (called by `io()` unless `autoConnect: false`). */
    connect() {
      if (this.connected) return this;
      this.active = true;
      this.stopReason = null;
      this.io.skipReconnect = false;
      if (this.io.readyState === "open") this._sendConnect();
      else this.io.open();
      return this;
    }
    open() {
      return this.connect();
    }
    _onOpen() {
      if (this.active && !this.connected) this._sendConnect();
    }
    _sendConnect() {
      const send = (auth) => {
        if (auth !== undefined && (auth === null || typeof auth !== "object" || Array.isArray(auth))) {
          this._onConnectError(makeError("auth must be an object"));
          return;
        }
        this.io._packet({ type: SIO.CONNECT, nsp: this.nsp, data: auth });
      };
      if (typeof this.auth === "function") {
        try {
          this.auth(send);
        } catch (error) {
          this._onConnectError(error);
        }
      } else {
        send(this.auth);
      }
    }
    _onPacket(packet) {
      switch (packet.type) {
        case SIO.CONNECT:
          if (packet.data && typeof packet.data.sid === "string") this._onConnect(packet.data.sid);
          else this._onConnectError(makeError("invalid CONNECT reply"));
          break;
        case SIO.CONNECT_ERROR: {
          const data = packet.data;
          const message = typeof data === "string" ? data : String(data.message || "connection refused");
          const error = makeError(message, { data: typeof data === "object" ? data.data : undefined, type: "server" });
          this._onConnectError(error);
          break;
        }
        case SIO.EVENT:
        case SIO.BINARY_EVENT:
          // A server may emit from its connect handler, before its CONNECT reply: keep those for the connect event.
          if (this.connected) this._onEvent(packet);
          else if (this.receiveBuffer.length < 100) this.receiveBuffer.push(packet);
          break;
        case SIO.ACK:
        case SIO.BINARY_ACK:
          if (this.connected) this._onAck(packet);
          break;
        case SIO.DISCONNECT:
          if (this.connected) {
            this.active = false;
            this._onClose("io server disconnect");
            this.io._release();
          }
          break;
      }
    }
    _onConnect(sid) {
      this.id = sid;
      this.connected = true;
      this._fire("connect");
      const received = this.receiveBuffer;
      this.receiveBuffer = [];
      for (const packet of received) {
        if (this.connected) this._onEvent(packet);
      }
      const pending = this.sendBuffer;
      this.sendBuffer = [];
      for (const packet of pending) this._send(packet);
    }
    _onConnectError(error) {
      const code = error && error.data && error.data.code;
      this._fire("connect_error", error);
      if (code && this.fatalCodes.has(code) && !(code === "token_expired" && typeof this.auth === "function")) {
        this._stop("connect_error:" + code);
      }
    }
    _onManagerError(error) {
      if (this.active && !this.connected) this._fire("connect_error", error);
    }
    _stop(reason) {
      this.stopReason = reason;
      this.active = false;
      this.io._release();
    }
    _onEvent(packet) {
      const args = packet.data.slice();
      const event = args[0];
      if (packet.id !== undefined) args.push(this._ackCallback(packet.id));
      if (event === "revoked") {
        this.stopReason = "revoked";
        this.active = false;
      } else if (event === "auth_expired" && typeof this.auth !== "function") {
        this.stopReason = "auth_expired";
        this.active = false;
      }
      this._fire(event, ...args.slice(1));
      for (const fn of this.listeners("*")) {
        try {
          fn(...args);
        } catch (error) {
          reportError(error);
        }
      }
    }
    _ackCallback(id) {
      let sent = false;
      return (...args) => {
        if (sent) return;
        sent = true;
        this._send({ type: SIO.ACK, id, data: args });
      };
    }
    _onAck(packet) {
      const callback = this.acks.get(packet.id);
      if (!callback) return;
      this.acks.delete(packet.id);
      callback(...packet.data);
    }
    _onTransportClose(reason, error) {
      if (this.connected) this._onClose(reason, error);
    }
    _onClose(reason, error) {
      this.connected = false;
      this.receiveBuffer = [];
      this.id = undefined;
      this._fire("disconnect", reason, error);
    }
    _send(packet) {
      packet.nsp = this.nsp;
      if (this.connected && this.io.readyState === "open") this.io._packet(packet);
      else this.sendBuffer.push(packet);
    }
    /** A view of this socket whose next emit's ack fails with "operation has timed out" after `ms`. */
    timeout(ms) {
      const view = Object.create(this);
      view._flags = { ...this._flags, timeout: ms };
      return view;
    }
    /** Sends `event` with `args`; if the last argument is a function, it is called with the server's ack. */
    emit(event, ...args) {
      if (RESERVED.has(event)) throw makeError('"' + event + '" is a reserved event name');
      const flags = this._flags;
      const data = [event, ...args];
      const packet = { type: SIO.EVENT, data };
      const timeout = flags.timeout !== undefined ? flags.timeout : this.ackTimeout;
      if (typeof data[data.length - 1] === "function") {
        const callback = data.pop();
        const id = this.nextAckId++;
        packet.id = id;
        const self = this._self;
        if (timeout !== undefined && timeout !== null) {
          const timer = setTimeout(() => {
            self.acks.delete(id);
            self.sendBuffer = self.sendBuffer.filter((p) => p.id !== id);
            callback(makeError("operation has timed out"));
          }, timeout);
          self.acks.set(id, (...reply) => {
            clearTimeout(timer);
            callback(null, ...reply);
          });
        } else {
          self.acks.set(id, callback);
        }
      } else if (flags.timeout !== undefined) {
        throw makeError("timeout() needs an acknowledgement callback");
      }
      this._self._send(packet);
      return this;
    }
    /** Sends `event` and resolves with the ack's first argument (rejects on timeout when a timeout is set). */
    emitWithAck(event, ...args) {
      const withTimeout = this._flags.timeout !== undefined || (this.ackTimeout !== undefined && this.ackTimeout !== null);
      return new Promise((resolve, reject) => {
        if (withTimeout) {
          this.emit(event, ...args, (error, reply) => (error ? reject(error) : resolve(reply)));
        } else {
          this.emit(event, ...args, (reply) => resolve(reply));
        }
      });
    }
    /** Alias of `emit("message", ...args)`. */
    send(...args) {
      return this.emit("message", ...args);
    }
    /** Registers a listener for every incoming event: `fn(event, ...args)`. */
    onAny(fn) {
      return this.on("*", fn);
    }
    /**
     * Sends `auth_refresh {token}` and resolves with the ack `{ok: true, expires_in}`; on `ok: false` rejects with an
     * Error whose `code` is the server's error code. On success the token is also used for later reconnects.
     */
    refreshToken(token, options) {
      const ms = (options && options.timeout) || 10000;
      if (typeof token !== "string" || token.length === 0) return Promise.reject(makeError("token must be a non-empty string"));
      return this.timeout(ms)
        .emitWithAck("auth_refresh", { token })
        .then((reply) => {
          if (reply && reply.ok === true) {
            if (this.auth && typeof this.auth === "object") this.auth = { ...this.auth, token };
            return reply;
          }
          const detail = (reply && reply.error) || {};
          throw makeError(detail.message || "token refresh refused", { code: detail.code, reply });
        });
    }
    /** Disconnects this namespace (and the connection when no other namespace uses it); no reconnection follows. */
    disconnect() {
      if (this.connected) this.io._packet({ type: SIO.DISCONNECT, nsp: this.nsp });
      this.active = false;
      this.sendBuffer = [];
      if (this.connected) this._onClose("io client disconnect");
      this.io._release();
      return this;
    }
    close() {
      return this.disconnect();
    }
  }

  // MARK: io()

  const managers = new Map();

  function defaults(opts) {
    return {
      path: "/socket.io/",
      transports: ["websocket", "polling"],
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: 20000,
      autoConnect: true,
      withCredentials: false,
      ...opts,
    };
  }

  /**
   * Connects to `url` (default: the page's origin; a path in the URL selects the namespace) and returns the socket.
   * Options: path, transports, auth (object or function(cb)), query, reconnection, reconnectionAttempts,
   * reconnectionDelay, reconnectionDelayMax, randomizationFactor, timeout, ackTimeout, autoConnect, forceNew,
   * withCredentials, fatalCodes, WebSocket (a constructor, for Node).
   */
  function io(url, opts) {
    if (typeof url === "object" && url !== null) {
      opts = url;
      url = undefined;
    }
    opts = defaults(opts || {});
    const location = root.location && root.location.href;
    const parsed = new URL(url || location || "http://localhost/", location || undefined);
    // Without a URL the page's origin is meant, not its path: namespace "/".
    const nsp = url && parsed.pathname ? parsed.pathname : "/";
    const base = parsed.origin + "/";
    const key = base + "|" + opts.path;
    let manager = managers.get(key);
    const isNew = !manager || opts.forceNew || opts.multiplex === false || manager.nsps.has(nsp);
    if (isNew) {
      manager = new Manager(base, opts);
      if (!opts.forceNew && opts.multiplex !== false) managers.set(key, manager);
    }
    const socket = manager.socket(nsp, opts);
    if (opts.autoConnect) socket.connect();
    return socket;
  }

  return { io, Manager, Socket, Engine, Backoff, encodeSocketPacket, decodeSocketPacket, version: VERSION, protocol: 5 };
});
