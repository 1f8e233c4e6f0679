// SPDX-License-Identifier: Apache-2.0

/// bcrypt's "expensive key schedule" Blowfish, following OpenBSD's `bcrypt.c`/`blowfish.c` with the
/// specialisations of Openwall's crypt_blowfish (key and salt words expanded once, `expand0state` split into a
/// XOR pass and an encryption pass, the 16 rounds unrolled).
///
/// All state lives in one heap allocation owned by a single call, so the type has no shared mutable state.
enum EksBlowfish {
    /// Words of key material one key schedule XORs into the P-array.
    static let keyWordCount = BlowfishConstants.pCount
    /// "OrpheanBeholderScryDoubt" as six big-endian words, the plaintext bcrypt encrypts 64 times.
    static let magic: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x4F72_7068, 0x6561_6E42, 0x6568_6F6C, 0x6465_7253, 0x6372_7944, 0x6F75_6274
    )

    /// Runs bcrypt and returns the 23 checksum bytes (the 24th byte is dropped, as every implementation does).
    ///
    /// - Parameters:
    ///   - key: The key bytes bcrypt cycles through, already including the terminating NUL and already cut to
    ///     the length the variant dictates (see ``Bcrypt``); only the first 72 bytes of the cycle are used.
    ///     Must not be empty.
    ///   - salt: 16 bytes.
    ///   - cost: log2 of the number of expensive rounds, within ``Bcrypt/costRange``.
    static func checksum(key: [UInt8], salt: [UInt8], cost: Int) -> [UInt8] {
        precondition(!key.isEmpty && salt.count == 16 && Bcrypt.costRange.contains(cost))

        // Layout, like crypt_blowfish: S0..S3 (1024 words, 64-byte aligned so each S-box spans exactly 16 cache
        // lines) | P (18) | expanded key (18) | salt words (4).
        let pCount = BlowfishConstants.pCount
        let sCount = 4 * BlowfishConstants.sBoxCount
        let total = sCount + pCount + keyWordCount + 4
        let raw = UnsafeMutableRawPointer.allocate(byteCount: total * MemoryLayout<UInt32>.stride, alignment: 64)
        let memory = raw.bindMemory(to: UInt32.self, capacity: total)
        defer {
            memory.update(repeating: 0, count: total)
            raw.deallocate()
        }
        let s = memory
        let p = memory + sCount
        let keyWords = p + pCount
        let saltWords = keyWords + keyWordCount
        BlowfishConstants.initialState.withUnsafeBufferPointer { initial in
            p.initialize(from: initial.baseAddress!, count: pCount)
            s.initialize(from: initial.baseAddress! + pCount, count: sCount)
        }

        // Blowfish_stream2word over the key, cycling through `key.count` bytes: 18 words = 72 bytes.
        var position = 0
        for i in 0..<keyWordCount {
            var word: UInt32 = 0
            for _ in 0..<4 {
                word = (word << 8) | UInt32(key[position])
                position += 1
                if position == key.count { position = 0 }
            }
            keyWords[i] = word
        }
        for i in 0..<4 {
            saltWords[i] =
                UInt32(salt[4 * i]) << 24 | UInt32(salt[4 * i + 1]) << 16 | UInt32(salt[4 * i + 2]) << 8 | UInt32(salt[4 * i + 3])
        }

        // Blowfish_expandstate(state, salt, key): XOR the key into P, then encrypt the salt stream through P and S.
        xorKey(p, keyWords)
        expandWithSalt(p, s, saltWords)

        // 2^cost rounds of expand0state(key) and expand0state(salt). The salt is 16 bytes, so its 18-word
        // stream is the four salt words repeated.
        var rounds = UInt64(1) << UInt64(cost)
        while rounds > 0 {
            xorKey(p, keyWords)
            encryptState(p, s)
            xorSalt(p, saltWords)
            encryptState(p, s)
            rounds -= 1
        }

        var c = magic
        let finalP = PArray(p)
        for _ in 0..<64 {
            encrypt(&c.0, &c.1, finalP, s)
            encrypt(&c.2, &c.3, finalP, s)
            encrypt(&c.4, &c.5, finalP, s)
        }
        var output: [UInt8] = []
        output.reserveCapacity(24)
        for word in [c.0, c.1, c.2, c.3, c.4, c.5] {
            output.append(UInt8(truncatingIfNeeded: word >> 24))
            output.append(UInt8(truncatingIfNeeded: word >> 16))
            output.append(UInt8(truncatingIfNeeded: word >> 8))
            output.append(UInt8(truncatingIfNeeded: word))
        }
        output.removeLast()
        return output
    }

    /// P[i] ^= key[i] for the 18 P-array words.
    @inline(__always)
    private static func xorKey(_ p: UnsafeMutablePointer<UInt32>, _ keyWords: UnsafeMutablePointer<UInt32>) {
        for i in 0..<18 { p[i] ^= keyWords[i] }
    }

    /// P[i] ^= salt[i % 4] for the 18 P-array words.
    @inline(__always)
    private static func xorSalt(_ p: UnsafeMutablePointer<UInt32>, _ saltWords: UnsafeMutablePointer<UInt32>) {
        let s0 = saltWords[0]
        let s1 = saltWords[1]
        let s2 = saltWords[2]
        let s3 = saltWords[3]
        var i = 0
        while i < 16 {
            p[i] ^= s0
            p[i + 1] ^= s1
            p[i + 2] ^= s2
            p[i + 3] ^= s3
            i += 4
        }
        p[16] ^= s0
        p[17] ^= s1
    }

    /// The second half of `Blowfish_expandstate`: chain-encrypts, XORing in the salt stream before each block.
    private static func expandWithSalt(
        _ p: UnsafeMutablePointer<UInt32>,
        _ s: UnsafeMutablePointer<UInt32>,
        _ saltWords: UnsafeMutablePointer<UInt32>
    ) {
        var l: UInt32 = 0
        var r: UInt32 = 0
        var saltIndex = 0
        var i = 0
        while i < 18 {
            l ^= saltWords[saltIndex]
            r ^= saltWords[saltIndex + 1]
            saltIndex ^= 2
            encrypt(&l, &r, PArray(p), s)
            p[i] = l
            p[i + 1] = r
            i += 2
        }
        let snapshot = PArray(p)
        i = 0
        while i < 1024 {
            l ^= saltWords[saltIndex]
            r ^= saltWords[saltIndex + 1]
            saltIndex ^= 2
            encrypt(&l, &r, snapshot, s)
            s[i] = l
            s[i + 1] = r
            i += 2
        }
    }

    /// The encryption pass of `Blowfish_expand0state`: chain-encrypts zeros through P and then the S-boxes.
    @inline(__always)
    private static func encryptState(_ p: UnsafeMutablePointer<UInt32>, _ s: UnsafeMutablePointer<UInt32>) {
        var l: UInt32 = 0
        var r: UInt32 = 0
        var i = 0
        while i < 18 {
            encrypt(&l, &r, PArray(p), s)
            p[i] = l
            p[i + 1] = r
            i += 2
        }
        // P is final from here on: take it as values (see encrypt(_:_:_:_:)).
        let snapshot = PArray(p)
        var out = s
        let end = s + 1024
        while out < end {
            encrypt(&l, &r, snapshot, s)
            out[0] = l
            out[1] = r
            out += 2
        }
    }

    /// Blowfish's F function over the four S-boxes that start at `s`.
    @inline(__always)
    private static func f(_ x: UInt32, _ s: UnsafeMutablePointer<UInt32>) -> UInt32 {
        let i = index(x)
        return ((s[i >> 24] &+ s[256 | ((i >> 16) & 0xFF)]) ^ s[512 | ((i >> 8) & 0xFF)]) &+ s[768 | (i & 0xFF)]
    }

    /// Widens a `UInt32` to an `Int` (zero extension) for indexing.
    ///
    /// Spelled with the stdlib's concrete, `@_transparent` conversions rather than the generic
    /// `Int(truncatingIfNeeded:)`: optimised builds compile both to a plain zero extension, but unoptimised builds
    /// (`swift test`) would otherwise look up generic metadata four times per round and run ~30 times slower.
    @inline(__always)
    private static func index(_ x: UInt32) -> Int {
        Int(_truncatingBits: x._lowWord)
    }

    /// Encrypts one 64-bit block (`Blowfish_encipher`), 16 rounds unrolled.
    ///
    /// The P-array comes in as values, not as a pointer: when the caller loads it once before a loop, LLVM sees
    /// loop-invariant values and XORs `P[n]` into the half that is waiting (`R ^= P[n]`) before `F` is ready,
    /// keeping it off the round's critical path. Read through a pointer on every round, it reassociates to
    /// `(F ^ P[n]) ^ R` instead, one more dependent operation per round: about 7% slower than GCC-compiled
    /// crypt_blowfish on the same machine (measured with `authd-bench bcrypt`).
    @inline(__always)
    static func encrypt(_ left: inout UInt32, _ right: inout UInt32, _ p: PArray, _ s: UnsafeMutablePointer<UInt32>) {
        var l = left ^ p.p0
        var r = right
        r ^= p.p1 ^ f(l, s)
        l ^= p.p2 ^ f(r, s)
        r ^= p.p3 ^ f(l, s)
        l ^= p.p4 ^ f(r, s)
        r ^= p.p5 ^ f(l, s)
        l ^= p.p6 ^ f(r, s)
        r ^= p.p7 ^ f(l, s)
        l ^= p.p8 ^ f(r, s)
        r ^= p.p9 ^ f(l, s)
        l ^= p.p10 ^ f(r, s)
        r ^= p.p11 ^ f(l, s)
        l ^= p.p12 ^ f(r, s)
        r ^= p.p13 ^ f(l, s)
        l ^= p.p14 ^ f(r, s)
        r ^= p.p15 ^ f(l, s)
        l ^= p.p16 ^ f(r, s)
        left = r ^ p.p17
        right = l
    }

    /// A snapshot of the 18 P-array words, loaded once so they are plain values to the optimiser.
    struct PArray {
        let p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15, p16, p17: UInt32

        @inline(__always)
        init(_ p: UnsafeMutablePointer<UInt32>) {
            (p0, p1, p2, p3, p4, p5) = (p[0], p[1], p[2], p[3], p[4], p[5])
            (p6, p7, p8, p9, p10, p11) = (p[6], p[7], p[8], p[9], p[10], p[11])
            (p12, p13, p14, p15, p16, p17) = (p[12], p[13], p[14], p[15], p[16], p[17])
        }
    }
}
