// SPDX-License-Identifier: Apache-2.0
// Replaces the suite's node-imports.js: Node's own fetch, Debian's `ws` (found through NODE_PATH, which only
// require() honours, hence createRequire), and a local stand-in for chai + chai-string.
import { createRequire } from "node:module";
import { chai } from "./chai.js";

const require = createRequire(import.meta.url);
const { WebSocket } = require("ws");

globalThis.WebSocket = WebSocket;
globalThis.chai = chai;
