// SPDX-License-Identifier: Apache-2.0

/// The few HTTP/1.1 head scans the raw-socket client and the raw TCP floor need: where the head ends, and the trimmed
/// value of one header.
enum HTTPHead {
    /// The index of the `\r\n\r\n` that ends the head, if it is complete.
    static func end(of bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// The value of the first header line whose name (lowercase, with its colon, e.g. `sec-websocket-key:`) matches
    /// case-insensitively, without surrounding spaces or tabs; `nil` when there is no such line.
    static func value(of lowercasedNameWithColon: [UInt8], in head: UnsafeRawBufferPointer) -> Slice<UnsafeRawBufferPointer>? {
        let name = lowercasedNameWithColon
        var lineStart = 0
        while lineStart < head.count {
            var lineEnd = lineStart
            while lineEnd < head.count && head[lineEnd] != 13 { lineEnd += 1 }
            if lineEnd - lineStart > name.count,
                head[lineStart..<(lineStart + name.count)].elementsEqual(name, by: { $0 | 0x20 == $1 | 0x20 })
            {
                var start = lineStart + name.count
                var end = lineEnd
                while start < end && (head[start] == 32 || head[start] == 9) { start += 1 }
                while end > start && (head[end - 1] == 32 || head[end - 1] == 9) { end -= 1 }
                return head[start..<end]
            }
            lineStart = lineEnd + 2
        }
        return nil
    }
}
