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

        // Layout: P (18) | S0..S3 (1024) | expanded key (18) | salt words (4).
        let pCount = BlowfishConstants.pCount
        let stateCount = BlowfishConstants.stateCount
        let total = stateCount + keyWordCount + 4
        let memory = UnsafeMutablePointer<UInt32>.allocate(capacity: total)
        defer {
            memory.update(repeating: 0, count: total)
            memory.deallocate()
        }
        BlowfishConstants.initialState.withUnsafeBufferPointer { initial in
            memory.initialize(from: initial.baseAddress!, count: stateCount)
        }
        let p = memory
        let s = memory + pCount
        let keyWords = memory + stateCount
        let saltWords = keyWords + keyWordCount

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
        for _ in 0..<64 {
            encrypt(&c.0, &c.1, p, s)
            encrypt(&c.2, &c.3, p, s)
            encrypt(&c.4, &c.5, p, s)
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
        let s0 = saltWords[0], s1 = saltWords[1], s2 = saltWords[2], s3 = saltWords[3]
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
    private static func expandWithSalt(_ p: UnsafeMutablePointer<UInt32>, _ s: UnsafeMutablePointer<UInt32>, _ saltWords: UnsafeMutablePointer<UInt32>) {
        var l: UInt32 = 0
        var r: UInt32 = 0
        var saltIndex = 0
        var i = 0
        while i < 18 {
            l ^= saltWords[saltIndex]
            r ^= saltWords[saltIndex + 1]
            saltIndex ^= 2
            encrypt(&l, &r, p, s)
            p[i] = l
            p[i + 1] = r
            i += 2
        }
        i = 0
        while i < 1024 {
            l ^= saltWords[saltIndex]
            r ^= saltWords[saltIndex + 1]
            saltIndex ^= 2
            encrypt(&l, &r, p, s)
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
            encrypt(&l, &r, p, s)
            p[i] = l
            p[i + 1] = r
            i += 2
        }
        var out = s
        let end = s + 1024
        while out < end {
            encrypt(&l, &r, p, s)
            out[0] = l
            out[1] = r
            out += 2
        }
    }

    /// Blowfish's F function over the four S-boxes that start at `s`.
    @inline(__always)
    private static func f(_ x: UInt32, _ s: UnsafeMutablePointer<UInt32>) -> UInt32 {
        let a = s[Int(truncatingIfNeeded: x >> 24)]
        let b = s[256 + Int(truncatingIfNeeded: (x >> 16) & 0xFF)]
        let c = s[512 + Int(truncatingIfNeeded: (x >> 8) & 0xFF)]
        let d = s[768 + Int(truncatingIfNeeded: x & 0xFF)]
        return ((a &+ b) ^ c) &+ d
    }

    /// Encrypts one 64-bit block (`Blowfish_encipher`), 16 rounds unrolled.
    @inline(__always)
    static func encrypt(_ left: inout UInt32, _ right: inout UInt32, _ p: UnsafeMutablePointer<UInt32>, _ s: UnsafeMutablePointer<UInt32>) {
        var l = left ^ p[0]
        var r = right
        r ^= f(l, s) ^ p[1]
        l ^= f(r, s) ^ p[2]
        r ^= f(l, s) ^ p[3]
        l ^= f(r, s) ^ p[4]
        r ^= f(l, s) ^ p[5]
        l ^= f(r, s) ^ p[6]
        r ^= f(l, s) ^ p[7]
        l ^= f(r, s) ^ p[8]
        r ^= f(l, s) ^ p[9]
        l ^= f(r, s) ^ p[10]
        r ^= f(l, s) ^ p[11]
        l ^= f(r, s) ^ p[12]
        r ^= f(l, s) ^ p[13]
        l ^= f(r, s) ^ p[14]
        r ^= f(l, s) ^ p[15]
        l ^= f(r, s) ^ p[16]
        left = r ^ p[17]
        right = l
    }
}
