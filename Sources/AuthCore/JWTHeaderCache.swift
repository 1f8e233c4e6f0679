// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

/// Header segments a ``JWTVerifier`` has accepted, each with its parsed ``JWTHeader`` and the key it selected, so
/// that tokens from the same issuer skip decoding, parsing and checking an identical header.
///
/// Every header check (strict base64url and JSON, `alg` allow-list, `crit`, `typ`, key selection) depends only on the
/// segment's bytes and on the verifier's keys and configuration, which never change; so a cached entry gives exactly
/// the result of the full path. Only headers of tokens whose **signature verified** are added: rejected headers are
/// never cached, and forged tokens cannot fill the cache. It holds at most ``capacity`` entries and then stops
/// growing (a verifier is rebuilt when keys rotate); misses take the full path.
///
/// `@unchecked Sendable`: entries are written once, under `writerLock`, into the slot at index `count`, and published
/// by a releasing store of `count`. Readers only read slots below an acquiring load of `count`, which are never
/// written again. Slots are freed in `deinit`.
final class JWTHeaderCache: @unchecked Sendable {
    /// One accepted header.
    final class Entry: Sendable {
        /// The exact base64url header segment.
        let segment: [UInt8]
        let header: JWTHeader
        let key: JWTBoundKey

        init(segment: [UInt8], header: JWTHeader, key: JWTBoundKey) {
            self.segment = segment
            self.header = header
            self.key = key
        }
    }

    /// The most entries kept.
    let capacity: Int
    private let slots: UnsafeMutablePointer<Entry>
    private let published = Atomic<Int>(0)
    private let writerLock = Mutex(())

    init(capacity: Int = 16) {
        precondition(capacity > 0, "JWTHeaderCache needs a positive capacity")
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
    }

    deinit {
        slots.deinitialize(count: published.load(ordering: .acquiring))
        slots.deallocate()
    }

    /// The number of cached headers.
    var count: Int { published.load(ordering: .acquiring) }

    /// The entry whose segment is exactly `segment`, if any.
    func entry(for segment: UnsafeRawBufferPointer) -> Entry? {
        let count = published.load(ordering: .acquiring)
        guard count > 0, let base = segment.baseAddress else { return nil }
        for index in 0..<count {
            let entry = slots[index]
            let matches = entry.segment.withUnsafeBytes { cached in
                cached.count == segment.count && memcmp(cached.baseAddress!, base, segment.count) == 0
            }
            if matches { return entry }
        }
        return nil
    }

    /// Adds an accepted header (call only once the token's signature verified); does nothing when the segment is
    /// already cached or the cache is full.
    func insert(_ entry: Entry) {
        guard !entry.segment.isEmpty, published.load(ordering: .relaxed) < capacity else { return }
        writerLock.withLock { _ in
            let count = published.load(ordering: .relaxed)
            let known = entry.segment.withUnsafeBytes { self.entry(for: $0) }
            guard count < capacity, known == nil else { return }
            (slots + count).initialize(to: entry)
            published.store(count + 1, ordering: .releasing)
        }
    }
}
