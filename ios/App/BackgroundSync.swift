// Sync, in the background (a BGProcessingTask that needs a network) and from the Sync now
// button. Both go through `SyncRunner.run`: the app only says whether the connection is
// metered; the core checks the learner's data settings against what it has counted this
// month, counts what this sync moves, and leaves packs that do not fit for later.
import BackgroundTasks
import Foundation
import Network
import os
import SkillpackCore

enum SyncRun {
    /// The learner's data settings say not now.
    case skipped
    case done(SyncReport)
}

enum SyncRunner {
    static func run(listener: ProgressListener?) async throws -> SyncRun {
        let metered = await currentPathIsMetered()
        return try await Core.shared.call { core -> SyncRun in
            guard try core.maySync(metered: metered) else { return .skipped }
            return .done(try core.syncNow(metered: metered, listener: listener))
        }
    }

    /// Cellular, a personal hotspot, or Low Data Mode.
    private static func currentPathIsMetered() async -> Bool {
        await withCheckedContinuation { continuation in
            let monitor = NWPathMonitor()
            var answered = false // only touched on the monitor's serial queue
            monitor.pathUpdateHandler = { path in
                guard !answered else { return }
                answered = true
                monitor.cancel()
                continuation.resume(returning: path.isExpensive || path.isConstrained)
            }
            monitor.start(queue: DispatchQueue(label: "org.skillpack.network"))
        }
    }
}

/// Progress with cancellation, for the core's long calls.
final class SyncProgress: ProgressListener, @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private let report: (Double) -> Void

    init(report: @escaping (Double) -> Void = { _ in }) {
        self.report = report
    }

    func onProgress(done: UInt64, total: UInt64) {
        report(total == 0 ? 0 : Double(done) / Double(total))
    }

    func isCancelled() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }
}

enum BackgroundSync {
    /// Also listed under BGTaskSchedulerPermittedIdentifiers in Info.plist.
    static let identifier = "org.skillpack.app.sync"
    private static let log = Logger(subsystem: "org.skillpack.app", category: "sync")

    static func register() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let task = task as? BGProcessingTask else { return }
            BackgroundSync.handle(task)
        }
    }

    /// Asks iOS for the next background sync: at the earliest in 6 hours, with a network.
    static func schedule() {
        let request = BGProcessingTaskRequest(identifier: identifier)
        request.requiresNetworkConnectivity = true
        request.earliestBeginDate = Date(timeIntervalSinceNow: 6 * 60 * 60)
        do {
            try BGTaskScheduler.shared.submit(request)
        } catch {
            log.info("background sync not scheduled: \(String(describing: error), privacy: .public)")
        }
    }

    private static func handle(_ task: BGProcessingTask) {
        schedule()
        let progress = SyncProgress()
        let work = Task {
            do {
                _ = try await SyncRunner.run(listener: progress)
                task.setTaskCompleted(success: true)
            } catch {
                BackgroundSync.log.info("background sync ended: \(errorKind(error), privacy: .public)")
                task.setTaskCompleted(success: false)
            }
        }
        // iOS is taking the time back: the core stops at its next check and keeps what it has.
        task.expirationHandler = {
            progress.cancel()
            work.cancel()
        }
    }
}
