// SPDX-License-Identifier: Apache-2.0
import AuthCore
import Testing

struct SecureRandomTests {
    @Test("random bytes have the requested count and are not constant")
    func bytes() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        let sample = SecureRandom.bytes(count: 4096)
        #expect(sample.count == 4096)
        // A fair generator gives every byte value within 4096 draws with overwhelming probability (1 - 256·e^-16).
        #expect(Set(sample).count == 256)
    }

    @Test("uniform(below:) stays in range and reaches every value")
    func uniform() {
        var seen = Set<UInt64>()
        for _ in 0..<2_000 {
            let value = SecureRandom.uniform(below: 7)
            #expect(value < 7)
            seen.insert(value)
        }
        #expect(seen.count == 7)
    }
}

struct ConstantTimeTests {
    @Test(
        "equal and unequal byte strings",
        arguments: [
            ([UInt8](), [UInt8](), true),
            ([1, 2, 3], [1, 2, 3], true),
            ([1, 2, 3], [1, 2, 4], false),
            ([1, 2, 3], [1, 2], false),
            ([0], [], false),
        ]
    )
    func comparisons(lhs: [UInt8], rhs: [UInt8], equal: Bool) {
        #expect(ConstantTime.isEqual(lhs, rhs) == equal)
        #expect(ConstantTime.isEqual(lhs.lazy.map { $0 }, rhs) == equal)
    }
}
