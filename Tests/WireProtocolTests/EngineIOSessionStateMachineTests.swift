// SPDX-License-Identifier: Apache-2.0
import Testing
import WireProtocol

/// Drives the state machine with plain instants: no clock, no sleeps.
struct EngineIOSessionStateMachineTests {
    typealias Machine = EngineIOSessionStateMachine<ContinuousClock.Instant>
    let start = ContinuousClock.now
    let configuration = Machine.Configuration(pingInterval: .seconds(25), pingTimeout: .seconds(20), upgradeTimeout: .seconds(10))

    func at(_ seconds: Int) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

    @Test("The server pings every pingInterval and a pong re-arms the heartbeat")
    func heartbeat() {
        var session = Machine(transport: .websocket, configuration: configuration, now: start)
        #expect(session.nextDeadline == at(25))
        #expect(session.timerFired(now: at(24)) == .none)
        #expect(session.timerFired(now: at(25)) == .send(.ping()))
        #expect(session.timerFired(now: at(25)) == .none)
        #expect(session.nextDeadline == at(45))
        #expect(session.packetReceived(.pong(), on: .websocket, now: at(30)) == .none)
        #expect(session.nextDeadline == at(55))
        #expect(session.timerFired(now: at(55)) == .send(.ping()))
    }

    @Test("A missing pong closes the session after pingTimeout")
    func pingTimeout() {
        var session = Machine(transport: .polling, configuration: configuration, now: start)
        #expect(session.timerFired(now: at(25)) == .send(.ping()))
        #expect(session.timerFired(now: at(44)) == .none)
        #expect(session.timerFired(now: at(45)) == .close(.pingTimeout))
        #expect(session.transport == nil)
        #expect(session.nextDeadline == nil)
        #expect(session.packetReceived(.pong(), on: .polling, now: at(46)) == .none)
    }

    @Test("The upgrade probe 2probe, 3probe, 5 moves the session to WebSocket")
    func upgrade() {
        var session = Machine(transport: .polling, configuration: configuration, now: start)
        #expect(session.packetReceived(.ping("probe"), on: .websocket, now: at(1)) == .answerProbe)
        #expect(session.nextDeadline == at(11))
        #expect(session.packetReceived(.message("still polling"), on: .polling, now: at(2)) == .deliver(.message("still polling")))
        #expect(session.packetReceived(.upgrade, on: .websocket, now: at(3)) == .completeUpgrade)
        #expect(session.transport == .websocket)
        #expect(session.nextDeadline == at(25))
    }

    @Test(
        "An upgrade that does not complete in time, or goes wrong, is aborted",
        arguments: [
            [EngineIOPacket.message("x")], [.upgrade], [.ping("probe"), .ping("probe")],
        ]
    )
    func abortedUpgrade(packets: [EngineIOPacket]) {
        var session = Machine(transport: .polling, configuration: configuration, now: start)
        var last = Machine.Action.none
        for packet in packets { last = session.packetReceived(packet, on: .websocket, now: at(1)) }
        #expect(last == .abortUpgrade)
        #expect(session.transport == .polling)
    }

    @Test("A probe that is not followed by an upgrade packet times out")
    func upgradeTimeout() {
        var session = Machine(transport: .polling, configuration: configuration, now: start)
        #expect(session.packetReceived(.ping("probe"), on: .websocket, now: at(1)) == .answerProbe)
        #expect(session.timerFired(now: at(11)) == .abortUpgrade)
        #expect(session.transport == .polling)
        #expect(session.packetReceived(.upgrade, on: .websocket, now: at(12)) == .abortUpgrade)
    }

    static let violations: [(EngineIOPacket, Machine.Action)] = [
        (.close, .close(.closedByClient)),
        (.ping(), .close(.protocolViolation(.ping))),
        (.noop, .close(.protocolViolation(.noop))),
        (.upgrade, .close(.protocolViolation(.upgrade))),
        (.message("hi"), .deliver(.message("hi"))),
    ]

    @Test("Packets on the current transport are delivered, or close the session", arguments: violations)
    func packetsOnCurrentTransport(packet: EngineIOPacket, action: Machine.Action) {
        var session = Machine(transport: .websocket, configuration: configuration, now: start)
        #expect(session.packetReceived(packet, on: .websocket, now: at(1)) == action)
    }

    @Test("The server can close the session once")
    func serverClose() {
        var session = Machine(transport: .websocket, configuration: configuration, now: start)
        #expect(session.close() == .close(.closedByServer))
        #expect(session.close() == .none)
    }
}
