// SPDX-License-Identifier: Apache-2.0
// Backoff: the reconnection delays of authd-socket.js (min · 2^attempt, ± jitter, capped at max).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { client } = require("./support/client.js");

const { Backoff } = client;

test("without jitter each delay doubles until the cap, and reset starts over", () => {
  const backoff = new Backoff(100, 1000, 0);
  const delays = Array.from({ length: 6 }, () => backoff.duration());
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoff.attempts, 6);
  backoff.reset();
  assert.equal(backoff.attempts, 0);
  assert.equal(backoff.duration(), 100);
});

test("the exponent stops growing, so a long outage never yields Infinity or NaN", () => {
  const backoff = new Backoff(1000, 5000, 0);
  for (let i = 0; i < 100; i++) backoff.duration();
  const delay = backoff.duration();
  assert.equal(delay, 5000);
  const uncapped = new Backoff(1, Number.MAX_SAFE_INTEGER, 0);
  for (let i = 0; i < 40; i++) uncapped.duration();
  assert.ok(Number.isFinite(uncapped.duration()));
});

test("the jitter factor is clamped to [0, 1]", () => {
  assert.equal(new Backoff(1, 2, 5).jitter, 1);
  assert.equal(new Backoff(1, 2, -1).jitter, 0);
  assert.equal(new Backoff(1, 2, 0.5).jitter, 0.5);
});

test("jitter moves a delay at most factor × delay either way, and in both directions", (t) => {
  const factor = 0.5;
  let below = 0;
  let above = 0;
  for (let round = 0; round < 200; round++) {
    const backoff = new Backoff(100, 100000, factor);
    for (let attempt = 0; attempt < 5; attempt++) {
      const base = 100 * 2 ** attempt;
      const delay = backoff.duration();
      assert.ok(delay >= base * (1 - factor) && delay <= base * (1 + factor), `${delay} for base ${base}`);
      if (delay < base) below++;
      if (delay > base) above++;
    }
  }
  assert.ok(below > 0 && above > 0, `below ${below}, above ${above}`);
});

test("the random draw picks both the size and the direction of the deviation", (t) => {
  const draws = [0.25, 0.35];
  t.mock.method(Math, "random", () => draws.shift());
  const backoff = new Backoff(100, 100000, 0.5);
  // 0.25: deviation ⌊0.25 · 0.5 · 100⌋ = 12, ⌊2.5⌋ is even → below; 0.35: ⌊0.35 · 0.5 · 200⌋ = 35, ⌊3.5⌋ is odd → above.
  assert.equal(backoff.duration(), 100 - Math.floor(0.25 * 0.5 * 100));
  assert.equal(backoff.duration(), 200 + Math.floor(0.35 * 0.5 * 200));
});

test("jitter never takes a delay past the cap", (t) => {
  t.mock.method(Math, "random", () => 0.99);
  const backoff = new Backoff(1000, 1200, 1);
  assert.equal(backoff.duration(), 1200);
});
