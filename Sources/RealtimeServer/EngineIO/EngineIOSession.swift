// SPDX-License-Identifier: Apache-2.0
internal import Logging
internal import NIOCore
internal import Synchronization
internal import WireProtocol

/// One Engine.IO session: the ``EngineIOConnection`` the layer above talks to, whatever the transport.
///
/// All mutable state sits behind one `Mutex`; the transports (a polling request, a WebSocket channel handler) and the
/// shared heartbeat sweep of ``EngineIOServer`` feed it events and carry out what it decides. Nothing here owns a task
/// or a timer: an idle session is this object, its state machine and an empty queue.
final class EngineIOSession: EngineIOConnection {
    typealias Machine = EngineIOSessionStateMachine<EngineIOInstant>

    /// What a polling `GET` answers.
    enum PollResult: Sendable {
        case packets([EngineIOPacket])
        case refused(EngineIOServerError)
    }

    /// What the WebSocket handler writes next.
    enum WebSocketOutput: Sendable {
        case packet(EngineIOOutboundPacket)
        /// Close this WebSocket, after sending `1` when `sendClosePacket`.
        case close(sendClosePacket: Bool)
    }

    /// Something for the handler, delivered one at a time in order.
    private enum Inbound: Sendable {
        case message(EngineIOMessage)
        case closed(EngineIOCloseReason)
    }

    private struct WebSocketSlot {
        var id: UInt64
        /// The WebSocket's channel handler, woken when there is something for it to write.
        var sink: EngineIOWebSocketSink
        /// Packets for this WebSocket only (`3probe`).
        var direct: [EngineIOOutboundPacket] = []
        /// The handler found nothing to write (or has not looked yet): wake it when that changes.
        var waiting = true
        /// The handler stopped reading because the inbox is full; resume it once delivery catches up.
        var readPaused = false
        /// The client sent `2probe` on it.
        var probed = false
        var aborted = false
    }

    /// A polling `GET` waiting for packets. A class: `CheckedContinuation` is a resilient type whose size is only known
    /// at run time, and stored inline it would make all of ``State`` such a type, read through runtime metadata.
    private final class PendingPoll: Sendable {
        private let continuation: CheckedContinuation<PollResult, Never>

        init(continuation: CheckedContinuation<PollResult, Never>) {
            self.continuation = continuation
        }

        func resume(returning result: PollResult) {
            continuation.resume(returning: result)
        }
    }

    private struct State {
        /// The user the session acts for once the layer above knows it (`user.id` in its log lines).
        var logUserID: String?
        var machine: Machine
        /// Packets waiting for a transport. A ring buffer: the WebSocket takes packets one by one, and its storage is
        /// kept between messages.
        var outbox = CircularBuffer<EngineIOOutboundPacket>(initialCapacity: 1)
        var queuedBytes = 0
        var pendingPoll: PendingPoll?
        /// A polling `POST` is being read or delivered (one at a time, as in the reference server).
        var postInFlight = false
        /// While upgrading: when the pending poll gets its `noop` (the reference server checks every 100 ms), unless
        /// the upgrade completes first.
        var noopDue: EngineIOInstant?
        var webSocket: WebSocketSlot?
        /// The WebSocket handler must be woken once the lock is released (``settle(needsDelivery:)``).
        var wakeDue = false
        var closeReason: EngineIOCloseReason?
        /// Closed while no poll was waiting: the farewell waits in `outbox` for the next poll until this deadline.
        /// Closed by the server, it is what was queued, then `1`, so that a polling client still reads why it was
        /// closed; closed by the client, `noop`, for a poll that was sent before the client's `close` but arrived after.
        var farewellDeadline: EngineIOInstant?
        var handler: (any EngineIOConnectionHandler)?
        var inbox: [Inbound] = []
        /// Someone is delivering `inbox` (or the handler is not known yet).
        var delivering = true
        /// A request has carried the session cookie back: every later one must (``EngineIOSessionEcho``).
        var latchedToSessionCookie = false
    }

    let id: String
    let request: EngineIORequestInfo
    /// What the open handshake bound the session to; later requests must match it.
    let binding: EngineIOSessionBinding
    private let server: EngineIOServer
    private let state: Mutex<State>

    init(
        id: String,
        request: EngineIORequestInfo,
        binding: EngineIOSessionBinding,
        transport: Machine.Transport,
        server: EngineIOServer,
        now: EngineIOInstant
    ) {
        self.id = id
        self.request = request
        self.binding = binding
        self.server = server
        let configuration = server.configuration
        self.state = Mutex(
            State(
                machine: Machine(
                    transport: transport,
                    configuration: .init(
                        pingInterval: configuration.pingInterval,
                        pingTimeout: configuration.pingTimeout,
                        upgradeTimeout: configuration.upgradeTimeout
                    ),
                    now: now
                )
            )
        )
    }

    /// Whether the client has carried the session cookie back, so that later requests must too.
    var isLatchedToSessionCookie: Bool { state.withLock { $0.latchedToSessionCookie } }

    /// Requires the session cookie on every later request of this session.
    func latchToSessionCookie() {
        state.withLock { $0.latchedToSessionCookie = true }
    }

    /// The current transport, or `nil` once closed.
    var transport: EngineIOServer.Transport? {
        state.withLock { state in
            guard state.closeReason == nil else { return nil }
            switch state.machine.transport {
            case .polling: return .polling
            case .websocket: return .websocket
            case nil: return nil
            }
        }
    }

    var isClosed: Bool { state.withLock { $0.closeReason != nil } }

    /// The layer above has accepted the session (Socket.IO: a namespace is connected); it no longer counts as
    /// awaiting (``EngineIOServer/ConnectionLimits/maxAwaitingSessionsPerAddress``).
    func markAccepted() {
        server.sessionAccepted(self)
    }

    /// Closed, and no farewell left for a poll to collect: the registry may forget the session.
    var isRemovable: Bool { state.withLock { Self.isRemovableLocked(&$0) } }

    /// Closed, and no farewell left for a poll to collect. A function over `inout` rather than a property of
    /// ``State``: read as a property inside a lock, the compiler copied the whole state first (in every `settle`).
    private static func isRemovableLocked(_ state: inout State) -> Bool {
        state.closeReason != nil && state.farewellDeadline == nil
    }

    /// How long a polling farewell waits for its poll.
    static let farewellLifetime = Duration.seconds(10)

    // MARK: EngineIOConnection

    @discardableResult
    func send(_ messages: [EngineIOMessage]) -> Bool {
        let (accepted, needsDelivery) = state.withLock { state -> (Bool, Bool) in
            guard state.closeReason == nil else { return (false, false) }
            var bytes = 0
            for message in messages {
                switch message {
                case .text(let text): bytes += text.readableBytes + 1
                case .binary(let data): bytes += data.readableBytes
                }
            }
            let configuration = server.configuration
            guard state.queuedBytes + bytes <= configuration.maxQueuedBytes,
                state.outbox.count + messages.count <= configuration.maxQueuedMessages
            else {
                return (false, Self.closeLocked(&state, reason: .sendQueueOverflow))
            }
            state.queuedBytes += bytes
            for message in messages {
                switch message {
                case .text(let text): state.outbox.append(.text(text))
                case .binary(let data): state.outbox.append(.packet(.binaryMessage(data)))
                }
            }
            Self.flushLocked(&state)
            return (true, false)
        }
        settle(needsDelivery: needsDelivery)
        return accepted
    }

    func close() {
        let needsDelivery = state.withLock { state in
            Self.closeLocked(&state, reason: .closedByServer)
        }
        settle(needsDelivery: needsDelivery)
    }

    // MARK: Handler delivery

    /// Sets the handler returned by the delegate and delivers anything that happened meanwhile.
    func start(handler: any EngineIOConnectionHandler) async {
        state.withLock { $0.handler = handler }
        await deliverInbox()
    }

    /// Delivers queued inbound items until none is left; only one caller at a time gets past the flag. The handler
    /// runs with the session as the current log context (also when a polling `POST`, with a request id of its own, delivers).
    func deliverInbox() async {
        await LogScope.run(in: self) { await deliverInboxInScope() }
    }

    private func deliverInboxInScope() async {
        while true {
            let next = state.withLock { state -> (Inbound, any EngineIOConnectionHandler)? in
                guard let handler = state.handler, !state.inbox.isEmpty else {
                    state.delivering = false
                    return nil
                }
                state.delivering = true
                let item = state.inbox.removeFirst()
                if state.webSocket?.readPaused == true, state.inbox.count <= Self.inboxResumeCount {
                    state.webSocket?.readPaused = false
                    state.webSocket?.sink.resumeReading()
                }
                return (item, handler)
            }
            guard let (item, handler) = next else { return }
            switch item {
            case .message(let message): await handler.connectionReceived(message)
            case .closed(let reason):
                server.logger.debug("Engine.IO session closed", metadata: ["engineio.sid": "\(id)", "engineio.reason": "\(reason.rawValue)"])
                await handler.connectionClosed(reason: reason)
                // The handler usually holds the connection: drop it so that neither outlives the session.
                state.withLock { state in
                    state.handler = nil
                    state.inbox.removeAll()
                }
            }
        }
    }

    /// Queues an item; returns whether the caller must run ``deliverInbox()``.
    private static func enqueueLocked(_ state: inout State, _ item: Inbound) -> Bool {
        state.inbox.append(item)
        guard !state.delivering, state.handler != nil else { return false }
        state.delivering = true
        return true
    }

    // MARK: Closing

    /// After an event from a context that cannot await: unregisters a closed session and arranges delivery.
    /// Also wakes the WebSocket handler when an event queued something for it.
    private func settle(needsDelivery: Bool) {
        let (removable, sink) = state.withLock { state -> (Bool, EngineIOWebSocketSink?) in
            var sink: EngineIOWebSocketSink?
            if state.wakeDue {
                state.wakeDue = false
                sink = state.webSocket?.sink
            }
            return (Self.isRemovableLocked(&state), sink)
        }
        if removable { server.remove(self) }
        sink?.wake()
        if needsDelivery { server.scheduleDelivery(self) }
    }

    /// Closes the session: answers a pending poll, wakes the WebSocket writer, queues `connectionClosed`.
    /// Returns whether the caller must arrange delivery.
    private static func closeLocked(_ state: inout State, reason: EngineIOCloseReason) -> Bool {
        guard state.closeReason == nil else { return false }
        let transport = state.machine.transport
        state.closeReason = reason
        _ = state.machine.close()
        // Closed by the server: what was queued still goes out, then `1` (the reference server drains its buffer
        // first). Otherwise the queue is dropped.
        var farewell: [EngineIOOutboundPacket] = []
        if reason == .closedByServer {
            farewell = takeOutboxLocked(&state)
            farewell.append(.packet(.close))
        }
        state.outbox.removeAll()
        state.queuedBytes = 0
        if let poll = state.pendingPoll {
            state.pendingPoll = nil
            // The reference server ends a pending poll with `noop` when the client closed, `close` otherwise.
            poll.resume(returning: .packets(reason == .closedByClient ? [.noop] : (farewell.isEmpty ? [.close] : farewell.map(\.pollingPacket))))
        } else if transport == .websocket {
            state.outbox.append(contentsOf: farewell)
        } else if !farewell.isEmpty {
            // The reference server also keeps a closing polling transport until the client polls it.
            state.outbox.append(contentsOf: farewell)
            state.farewellDeadline = .now.advanced(by: farewellLifetime)
        }
        wakeWebSocketLocked(&state)
        return enqueueLocked(&state, .closed(reason))
    }

    private static func closeReason(_ reason: Machine.CloseReason) -> EngineIOCloseReason {
        switch reason {
        case .pingTimeout: .pingTimeout
        case .closedByClient: .closedByClient
        case .closedByServer: .closedByServer
        case .protocolViolation: .parseError
        }
    }

    // MARK: Outbound

    /// Hands queued packets to whichever transport is waiting for them.
    private static func flushLocked(_ state: inout State) {
        guard !state.outbox.isEmpty else { return }
        switch state.machine.transport {
        case .polling:
            if let poll = state.pendingPoll {
                state.pendingPoll = nil
                poll.resume(returning: .packets(takePollLocked(&state)))
            }
        case .websocket:
            wakeWebSocketLocked(&state)
        case nil:
            break
        }
    }

    /// The most packets one poll response carries: python-engineio clients refuse payloads of more than 16
    /// (`Payload.max_decode_packets`); the rest waits for the next poll.
    static let maxPacketsPerPoll = 16

    /// What one poll response carries: up to ``maxPacketsPerPoll`` queued packets, in their polling form.
    private static func takePollLocked(_ state: inout State) -> [EngineIOPacket] {
        takeOutboxLocked(&state, limit: maxPacketsPerPoll).map(\.pollingPacket)
    }

    private static func takeOutboxLocked(_ state: inout State, limit: Int = .max) -> [EngineIOOutboundPacket] {
        guard state.outbox.count > limit else {
            let packets = Array(state.outbox)
            state.outbox.removeAll(keepingCapacity: true)
            state.queuedBytes = 0
            return packets
        }
        let packets = Array(state.outbox.prefix(limit))
        state.outbox.removeFirst(limit)
        for packet in packets { state.queuedBytes -= queuedSize(of: packet) }
        return packets
    }

    /// What a packet counts against ``EngineIOServer/Configuration/maxQueuedBytes``.
    private static func queuedSize(of packet: EngineIOOutboundPacket) -> Int {
        switch packet {
        case .text(let text): text.readableBytes + 1
        case .packet(.binaryMessage(let data)): data.readableBytes
        case .packet: 0
        }
    }

    /// Marks the WebSocket handler for waking if it is waiting; it then takes what there is with
    /// ``takeWebSocketOutput(id:)``. The wake-up itself happens after the lock is released, in ``settle(needsDelivery:)``.
    private static func wakeWebSocketLocked(_ state: inout State) {
        guard state.webSocket?.waiting == true else { return }
        state.webSocket?.waiting = false
        state.wakeDue = true
    }

    // MARK: State machine actions

    /// Carries out one action of the state machine; returns whether the caller must arrange delivery.
    private static func applyLocked(_ action: Machine.Action, _ state: inout State, now: EngineIOInstant) -> Bool {
        switch action {
        case .none:
            return false
        case .send(let packet):
            state.outbox.append(.packet(packet))
            flushLocked(&state)
            return false
        case .deliver(let packet):
            switch packet {
            case .message(let text): return enqueueLocked(&state, .message(.text(ByteBuffer(string: text))))
            case .binaryMessage(let data): return enqueueLocked(&state, .message(.binary(data)))
            default: return false
            }
        case .answerProbe:
            state.webSocket?.direct.append(.packet(.pong("probe")))
            state.webSocket?.probed = true
            wakeWebSocketLocked(&state)
            if state.pendingPoll != nil { state.noopDue = now.advanced(by: noopDelay) }
            return false
        case .completeUpgrade:
            // The client pauses polling before it sends `5`; a poll still pending does not belong to the session
            // any more (the reference server refuses such requests with code 3).
            state.noopDue = nil
            if let poll = state.pendingPoll {
                state.pendingPoll = nil
                poll.resume(returning: .refused(EngineIOServerError(.badRequest)))
            }
            flushLocked(&state)
            return false
        case .abortUpgrade:
            state.noopDue = nil
            state.webSocket?.aborted = true
            wakeWebSocketLocked(&state)
            return false
        case .close(let reason):
            return closeLocked(&state, reason: closeReason(reason))
        }
    }

    /// Fires due timers (pings, ping timeout, upgrade timeout); returns whether the caller must arrange delivery.
    private static func fireTimersLocked(_ state: inout State, now: EngineIOInstant) -> Bool {
        var needsDelivery = false
        guard state.closeReason == nil else { return false }
        if let due = state.noopDue, due <= now {
            state.noopDue = nil
            if let poll = state.pendingPoll {
                state.pendingPoll = nil
                poll.resume(returning: .packets(state.outbox.isEmpty ? [.noop] : takePollLocked(&state)))
            }
        }
        while let deadline = state.machine.nextDeadline, deadline <= now {
            // Fire at the deadline itself, not at the (later) sweep: the schedule stays exact, so a pong deadline is
            // the ping's deadline plus pingTimeout however late the sweep ran.
            let action = state.machine.timerFired(now: deadline)
            if case .none = action { break }
            needsDelivery = applyLocked(action, &state, now: deadline) || needsDelivery
        }
        return needsDelivery
    }

    /// The shared heartbeat sweep: fires due timers. Returns whether an upgrade's `noop` is still due.
    @discardableResult
    func sweep(now: EngineIOInstant) -> Bool {
        let (needsDelivery, waiting) = state.withLock { state in
            if let deadline = state.farewellDeadline, deadline <= now {
                state.farewellDeadline = nil
                state.outbox.removeAll()
            }
            return (Self.fireTimersLocked(&state, now: now), state.noopDue != nil)
        }
        settle(needsDelivery: needsDelivery)
        return waiting
    }

    /// How long a poll waits for its `noop` during an upgrade.
    static let noopDelay = Duration.milliseconds(100)

    // MARK: Polling

    /// A polling `GET`: answers queued packets, or waits for some (unless `immediately`, for the handshake).
    func poll(now: EngineIOInstant, immediately: Bool = false) async -> PollResult {
        var needsDelivery = false
        var upgrading = false
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<PollResult, Never>) in
            state.withLock { state in
                needsDelivery = Self.fireTimersLocked(&state, now: now)
                if state.closeReason != nil {
                    if state.farewellDeadline != nil, !state.outbox.isEmpty {
                        continuation.resume(returning: .packets(Self.takePollLocked(&state)))
                        if state.outbox.isEmpty { state.farewellDeadline = nil }
                    } else {
                        continuation.resume(returning: .refused(EngineIOServerError(.unknownSessionID)))
                    }
                    return
                }
                guard case .polling = state.machine.transport else {
                    continuation.resume(returning: .refused(EngineIOServerError(.badRequest)))
                    return
                }
                if state.pendingPoll != nil {
                    // Overlapping polls: the reference server closes the session.
                    _ = state.machine.close()
                    needsDelivery = Self.closeLocked(&state, reason: .transportError) || needsDelivery
                    continuation.resume(returning: .refused(EngineIOServerError(.badRequest)))
                    return
                }
                if !state.outbox.isEmpty || immediately {
                    continuation.resume(returning: .packets(Self.takePollLocked(&state)))
                } else {
                    state.pendingPoll = PendingPoll(continuation: continuation)
                    if let slot = state.webSocket, slot.probed, !slot.aborted {
                        // Upgrading: end this poll with `noop` shortly, unless the upgrade completes first.
                        state.noopDue = now.advanced(by: Self.noopDelay)
                        upgrading = true
                    }
                }
            }
        }
        if upgrading { server.watchUpgrade(self) }
        settle(needsDelivery: needsDelivery)
        return result
    }

    /// A polling `POST` with a decoded payload; delivers its messages before it returns. `nil` means `ok`.
    func receivePolling(_ packets: [EngineIOPacket], now: EngineIOInstant) async -> EngineIOServerError? {
        let (refusal, needsDelivery) = state.withLock { state -> (EngineIOServerError?, Bool) in
            var needsDelivery = Self.fireTimersLocked(&state, now: now)
            if state.closeReason != nil { return (EngineIOServerError(.unknownSessionID), needsDelivery) }
            guard case .polling = state.machine.transport else {
                return (EngineIOServerError(.badRequest), needsDelivery)
            }
            let pollWaited = state.pendingPoll != nil
            for packet in packets {
                let action = state.machine.packetReceived(packet, on: .polling, now: now)
                needsDelivery = Self.applyLocked(action, &state, now: now) || needsDelivery
            }
            if state.closeReason == .closedByClient, !pollWaited {
                // The client's poll and its `close` travel on separate connections, so a poll sent first can arrive
                // second: it gets the `noop` it would have got while waiting, whichever request the server read first.
                state.outbox.append(.packet(.noop))
                state.farewellDeadline = now.advanced(by: Self.farewellLifetime)
            }
            return (nil, needsDelivery)
        }
        settle(needsDelivery: false)
        if needsDelivery { await deliverInbox() }
        return refusal
    }

    /// Starts a polling `POST`; `false` when another one is in flight, which closes the session (the reference
    /// server refuses overlapping data requests).
    func beginPost() -> Bool {
        let (accepted, needsDelivery) = state.withLock { state -> (Bool, Bool) in
            guard state.postInFlight else {
                state.postInFlight = true
                return (true, false)
            }
            _ = state.machine.close()
            return (false, Self.closeLocked(&state, reason: .transportError))
        }
        settle(needsDelivery: needsDelivery)
        return accepted
    }

    /// Ends a polling `POST` started with ``beginPost()``.
    func endPost() {
        state.withLock { $0.postInFlight = false }
    }

    /// A polling `POST` that cannot be decoded (or is too large): closes the session.
    func refusePayload() {
        let needsDelivery = state.withLock { state in
            _ = state.machine.close()
            return Self.closeLocked(&state, reason: .parseError)
        }
        settle(needsDelivery: needsDelivery)
    }

    // MARK: WebSocket

    /// Inbound messages waiting for the handler beyond which a WebSocket stops reading (TCP then slows the client).
    static let inboxPauseCount = 32
    /// Waiting messages at or below which a paused WebSocket reads again.
    static let inboxResumeCount = 8

    /// Attaches a WebSocket: the session's own transport (direct handshake) or an upgrade candidate. Returns `false`
    /// when the session is closed, already upgraded or already probing another WebSocket.
    func attachWebSocket(id: UInt64, sink: EngineIOWebSocketSink) -> Bool {
        state.withLock { state in
            guard state.closeReason == nil, state.webSocket == nil else { return false }
            state.webSocket = WebSocketSlot(id: id, sink: sink)
            return true
        }
    }

    /// What the WebSocket `id` writes next, one packet at a time, or `nil` when there is nothing yet (its sink is woken
    /// when that changes). Only the WebSocket's own event loop calls this, so what it takes goes out in the order taken.
    func takeWebSocketOutput(id: UInt64) -> WebSocketOutput? {
        state.withLock { state -> WebSocketOutput? in
            guard state.webSocket?.id == id, state.webSocket?.aborted == false else { return .close(sendClosePacket: false) }
            if state.webSocket?.direct.isEmpty == false, let packet = state.webSocket?.direct.removeFirst() {
                return .packet(packet)
            }
            if state.closeReason != nil {
                return state.outbox.isEmpty ? .close(sendClosePacket: false) : .packet(Self.takeFirstLocked(&state))
            }
            if case .websocket = state.machine.transport, !state.outbox.isEmpty {
                return .packet(Self.takeFirstLocked(&state))
            }
            state.webSocket?.waiting = true
            return nil
        }
    }

    private static func takeFirstLocked(_ state: inout State) -> EngineIOOutboundPacket {
        let packet = state.outbox.removeFirst()
        state.queuedBytes -= queuedSize(of: packet)
        return packet
    }

    /// A packet arrived on the WebSocket `id`. Messages go to the inbox, delivered to the handler in order; replies
    /// for this WebSocket (`3probe`) wait in its slot, taken with ``takeWebSocketOutput(id:)`` before anything else.
    /// Returns `false` when the WebSocket should stop reading until its sink is told to resume (the inbox is full).
    func receiveWebSocket(_ packet: EngineIOPacket, id: UInt64, now: EngineIOInstant) -> Bool {
        receiveWebSocket(packet, message: nil, id: id, now: now)
    }

    /// A `message` packet arrived on the WebSocket `id`, already in the form the handler receives: the text stays the
    /// frame's bytes instead of becoming a `String` and then bytes again. See ``receiveWebSocket(_:id:now:)-(EngineIOPacket,_,_)``.
    func receiveWebSocket(_ message: EngineIOMessage, id: UInt64, now: EngineIOInstant) -> Bool {
        switch message {
        // The state machine looks at the packet's type only; the text goes to the handler as `message`.
        case .text: receiveWebSocket(.message(""), message: message, id: id, now: now)
        case .binary(let data): receiveWebSocket(.binaryMessage(data), message: nil, id: id, now: now)
        }
    }

    private func receiveWebSocket(_ packet: EngineIOPacket, message: EngineIOMessage?, id: UInt64, now: EngineIOInstant) -> Bool {
        let (needsDelivery, upgrading, keepReading, upgraded) = state.withLock {
            state -> (Bool, Bool, Bool, (any EngineIOTransportObserver)?) in
            guard state.webSocket?.id == id, state.webSocket?.aborted == false else { return (false, false, true, nil) }
            var needsDelivery = Self.fireTimersLocked(&state, now: now)
            let action = state.machine.packetReceived(packet, on: .websocket, now: now)
            var upgraded: (any EngineIOTransportObserver)? = nil
            if case .deliver = action, let message {
                needsDelivery = Self.enqueueLocked(&state, .message(message)) || needsDelivery
            } else {
                if case .completeUpgrade = action { upgraded = state.handler as? any EngineIOTransportObserver }
                needsDelivery = Self.applyLocked(action, &state, now: now) || needsDelivery
            }
            var keepReading = true
            if state.inbox.count >= Self.inboxPauseCount, state.closeReason == nil {
                state.webSocket?.readPaused = true
                keepReading = false
            }
            return (needsDelivery, state.noopDue != nil, keepReading, upgraded)
        }
        upgraded?.transportUpgraded()
        if upgrading { server.watchUpgrade(self) }
        settle(needsDelivery: needsDelivery)
        return keepReading
    }

    /// The WebSocket `id` ended (closed by the peer, or failed): closes the session if it was its transport.
    func webSocketEnded(id: UInt64, reason: EngineIOCloseReason) {
        let needsDelivery = state.withLock { state -> Bool in
            guard let slot = state.webSocket, slot.id == id else { return false }
            if case .websocket = state.machine.transport, !slot.aborted {
                _ = state.machine.close()
                return Self.closeLocked(&state, reason: reason)
            }
            // A failed upgrade candidate: the polling transport goes on.
            state.webSocket = nil
            return false
        }
        settle(needsDelivery: needsDelivery)
    }
}

extension EngineIOSession: LogContext {
    /// The handshake request's `request.id`, then `user.id` once known: current while the session's handler runs
    /// (also when a polling `POST`, with a request id of its own, delivers).
    var logMetadata: Logger.Metadata {
        var metadata = request.logMetadata
        if let userID = state.withLock({ $0.logUserID }) { metadata["user.id"] = .string(userID) }
        return metadata
    }

    func setLogUserID(_ userID: String) {
        state.withLock { $0.logUserID = userID }
    }
}
