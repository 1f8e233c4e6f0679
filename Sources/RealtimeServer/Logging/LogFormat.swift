// SPDX-License-Identifier: Apache-2.0

/// How `authd` writes its logs to standard error (`--log-format`).
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// One human-readable line per record (swift-log's `StreamLogHandler`): for a terminal.
    case text
    /// One JSON object per line (``JSONLogHandler``): for log collectors.
    case json
}
