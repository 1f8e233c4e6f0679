// SPDX-License-Identifier: Apache-2.0
// The few chai (4.x) and chai-string assertions that the engine.io-protocol test suite uses:
//   expect(x).to.eql(y)              deep equality (ArrayBuffers by content)
//   expect(s).to.startsWith(prefix)  (chai-string)
//   expect(o).to.have.all.keys(...)  exactly these own keys
//   expect(x).to.be.a("string")      typeof check
//   expect(x).to.be.oneOf([...])     strict membership
import { isDeepStrictEqual, inspect } from "node:util";
import { AssertionError } from "node:assert";

function fail(message, actual, expected) {
  throw new AssertionError({ message, actual, expected });
}

function normalize(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

class Assertion {
  constructor(actual) {
    this.actual = actual;
    for (const word of ["to", "be", "have", "all", "been", "is", "that"]) {
      Object.defineProperty(this, word, { get: () => this });
    }
  }

  eql(expected) {
    const actual = normalize(this.actual);
    const wanted = normalize(expected);
    const same = actual instanceof Uint8Array && wanted instanceof Uint8Array
      ? Buffer.compare(Buffer.from(actual), Buffer.from(wanted)) === 0
      : isDeepStrictEqual(actual, wanted);
    if (!same) fail(`expected ${inspect(this.actual)} to deeply equal ${inspect(expected)}`, this.actual, expected);
    return this;
  }

  startsWith(prefix) {
    if (typeof this.actual !== "string" || !this.actual.startsWith(prefix)) {
      fail(`expected ${inspect(this.actual)} to start with ${inspect(prefix)}`, this.actual, prefix);
    }
    return this;
  }

  keys(...expected) {
    const wanted = (expected.length === 1 && Array.isArray(expected[0]) ? expected[0] : expected).slice().sort();
    const actual = Object.keys(this.actual ?? {}).sort();
    if (!isDeepStrictEqual(actual, wanted)) fail(`expected keys ${inspect(actual)} to be ${inspect(wanted)}`, actual, wanted);
    return this;
  }

  a(type) {
    if (typeof this.actual !== type) fail(`expected ${inspect(this.actual)} to be a ${type}`, typeof this.actual, type);
    return this;
  }

  oneOf(list) {
    if (!list.includes(this.actual)) fail(`expected ${inspect(this.actual)} to be one of ${inspect(list)}`, this.actual, list);
    return this;
  }
}

export const chai = { expect: (actual) => new Assertion(actual) };
