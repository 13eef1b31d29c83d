// The learner's one store, opened on first use, and the serial queue every core call runs on.
// The API is blocking, so no call runs on the main thread; and calls keep their order, so an
// answer changed twice is stored as the second one and submit comes after every answer.
import Foundation
import SkillpackCore

final class Core: @unchecked Sendable {
    static let shared = Core()

    private let queue = DispatchQueue(label: "org.skillpack.core", qos: .userInitiated)
    /// Touched only on `queue`. A failed open is not kept: the next call tries again.
    private var store: Skillpack?

    /// Runs `body` on the core queue and returns its result.
    func call<T>(_ body: @escaping (Skillpack) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.open()) })
            }
        }
    }

    /// Runs `body` on the core queue without waiting, after every call made before it;
    /// `succeeded` or `failed` hears how it went, on the main thread.
    func post(_ body: @escaping (Skillpack) throws -> Void,
              succeeded: @escaping () -> Void = {},
              failed: @escaping (Error) -> Void = { _ in }) {
        queue.async {
            do {
                try body(self.open())
                DispatchQueue.main.async { succeeded() }
            } catch {
                DispatchQueue.main.async { failed(error) }
            }
        }
    }

    private func open() throws -> Skillpack {
        if let store { return store }
        var dir = try FileManager.default
            .url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("skillpack", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // No backups: the keys stay in this device's Keychain, so a restored store could not sign.
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try dir.setResourceValues(values)
        let opened = try Skillpack.open(dir: dir.path, keys: KeychainKeys())
        store = opened
        return opened
    }
}
