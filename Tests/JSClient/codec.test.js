// SPDX-License-Identifier: Apache-2.0
// The Socket.IO v5 packet codec of authd-socket.js (encodeSocketPacket / decodeSocketPacket), on the examples of the
// socket.io-protocol document, binary placeholders, and malformed input.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { client } = require("./support/client.js");

const { encodeSocketPacket: encode, decodeSocketPacket: decode } = client;

test("text packets of every type round-trip through encode and decode", () => {
  const packets = [
    { type: 0, nsp: "/", data: { token: "abc" } },
    { type: 0, nsp: "/admin", data: { sid: "x" } },
    { type: 0, nsp: "/" },
    { type: 1, nsp: "/admin" },
    { type: 2, nsp: "/", data: ["hello", 1] },
    { type: 2, nsp: "/admin", id: 456, data: ["project:delete", 123] },
    { type: 3, nsp: "/admin", id: 456, data: [] },
    { type: 3, nsp: "/", id: 0, data: [{ ok: true, expires_in: 900 }] },
    { type: 4, nsp: "/", data: { message: "Not authorized", data: { code: "token_invalid" } } },
    { type: 4, nsp: "/chat", data: "refused" },
  ];
  for (const packet of packets) {
    const { text, buffers } = encode(packet);
    assert.deepEqual(buffers, [], text);
    assert.deepEqual(decode(text), { attachments: 0, ...packet }, text);
  }
});

test("encoding writes the spec's text form: namespace only when not `/`, then the id, then JSON", () => {
  assert.equal(encode({ type: 0, nsp: "/", data: { token: "abc" } }).text, '0{"token":"abc"}');
  assert.equal(encode({ type: 0, nsp: "/admin", data: { token: "t" } }).text, '0/admin,{"token":"t"}');
  assert.equal(encode({ type: 1, nsp: "/admin" }).text, "1/admin,");
  assert.equal(encode({ type: 2, nsp: "/admin", id: 456, data: ["project:delete", 123] }).text, '2/admin,456["project:delete",123]');
  assert.equal(encode({ type: 3, nsp: "/", id: 7, data: [] }).text, "37[]");
});

test("decoding reads the spec's examples", () => {
  assert.deepEqual(decode('0{"token":"123"}'), { type: 0, nsp: "/", attachments: 0, data: { token: "123" } });
  assert.deepEqual(decode("1/admin,"), { type: 1, nsp: "/admin", attachments: 0 });
  assert.deepEqual(decode('4{"message":"Not authorized","data":{"code":"token_invalid"}}').data, {
    message: "Not authorized",
    data: { code: "token_invalid" },
  });
  const binary = decode('51-["hello",{"_placeholder":true,"num":0}]');
  assert.equal(binary.type, 5);
  assert.equal(binary.attachments, 1);
  assert.deepEqual(binary.data, ["hello", { _placeholder: true, num: 0 }]);
  assert.deepEqual(decode('62-/admin,3[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'), {
    type: 6,
    nsp: "/admin",
    attachments: 2,
    id: 3,
    data: [{ _placeholder: true, num: 0 }, { _placeholder: true, num: 1 }],
  });
});

test("binary values become numbered placeholders and attachments, in document order", () => {
  const raw = new Uint8Array([1, 2, 3]);
  const view = new Uint8Array([9, 8, 7, 6]).subarray(1, 3);
  const { text, buffers } = encode({ type: 2, nsp: "/", id: 7, data: ["up", { raw, list: [new ArrayBuffer(1), view] }] });
  assert.equal(
    text,
    '53-7["up",{"raw":{"_placeholder":true,"num":0},"list":[{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]}]'
  );
  assert.equal(buffers.length, 3);
  assert.ok(buffers.every((b) => b instanceof ArrayBuffer));
  assert.deepEqual(Array.from(new Uint8Array(buffers[0])), [1, 2, 3]);
  assert.equal(buffers[1].byteLength, 1);
  assert.deepEqual(Array.from(new Uint8Array(buffers[2])), [8, 7], "a view contributes only its own bytes");
  const ack = encode({ type: 3, nsp: "/admin", id: 2, data: [new Uint8Array([5])] });
  assert.equal(ack.text, '61-/admin,2[{"_placeholder":true,"num":0}]');
});

test("values with toJSON are sent as JSON, not searched for binary", () => {
  const when = new Date(Date.UTC(2026, 0, 2));
  assert.equal(encode({ type: 2, nsp: "/", data: ["at", when] }).text, '2["at","2026-01-02T00:00:00.000Z"]');
});

test("ids are decimal and at most 16 digits; the rest is the payload", () => {
  assert.equal(decode("2123456789012345[\"e\"]").id, 123456789012345);
  assert.throws(() => decode('212345678901234567["e"]'), Error, "a 17th digit is not part of the id and is not JSON");
});

test("malformed packets are refused with an Error, never a crash or a wrong packet", () => {
  const hostile = [
    "", // empty
    "9", // unknown type
    "x", // not a type
    "2", // EVENT without data
    "2[", // truncated JSON
    "2{}", // EVENT data is not an array
    "2[1]", // event name is not a string
    "2[]", // no event name
    "3[]", // ACK without id
    "1{\"a\":1}", // DISCONNECT with data
    "0[1]", // CONNECT data must be an object
    "0null",
    "4[]", // CONNECT_ERROR data must be a string or an object
    "5x-[\"a\"]", // attachment count is not a number
    "5-[\"a\"]", // empty attachment count
    "51[\"a\"]", // no dash
    "5999-[\"a\"]", // more than the 64 attachments allowed
    "565-[\"a\"]",
    "2/admin", // namespace without a comma is the whole packet: no data
  ];
  for (const text of hostile) {
    assert.throws(() => decode(text), Error, JSON.stringify(text));
  }
});

test("64 attachments are allowed, 65 are not", () => {
  assert.equal(decode('564-["a"]').attachments, 64);
  assert.throws(() => decode('565-["a"]'), /too many attachments/);
});
