// SPDX-License-Identifier: Apache-2.0
import Testing

@testable import RealtimeServer

@Suite("CompactRequestID: how a session keeps its request id")
struct CompactRequestIDTests {
    @Test(
        "every id comes back as it was given",
        arguments: [
            "823cea17a14b0f85e13a1488e566ae35", "00000000000000000000000000000000", "ffffffffffffffff0000000000000001",
            "823CEA17A14B0F85E13A1488E566AE35", "823cea17a14b0f85e13a1488e566ae3", "from-proxy:42", "", "x",
        ]
    )
    func roundTrip(id: String) {
        #expect(CompactRequestID(id).text == id)
    }

    @Test("32 lowercase hex digits are kept as two integers, anything else as text")
    func compactForm() {
        #expect(CompactRequestID("0000000000000001000000000000000a") == .hex(1, 10))
        #expect(CompactRequestID("0000000000000001000000000000000A") == .text("0000000000000001000000000000000A"))
    }
}
