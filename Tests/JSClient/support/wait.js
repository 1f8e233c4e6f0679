// SPDX-License-Identifier: Apache-2.0
// Bounded waits: every helper rejects after `ms`, so a broken client fails a test instead of hanging the run.
"use strict";

/** Resolves with the arguments of the next `event` of `emitter` (anything with `once`). */
function next(emitter, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Resolves once `predicate()` is true, polling every 5 ms. */
function until(predicate, ms = 3000, what = "condition") {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`${what} not met within ${ms} ms`));
      setTimeout(check, 5);
    };
    check();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { next, until, sleep };
