// Pieces every screen uses: loading with an error view, the one place core errors become
// words (from the error's case and fields, never its log message), and how points and times
// are written.
import SkillpackCore
import SwiftUI

/// Loads with `load` (again when `key` changes, on `reload`, and each time the view appears),
/// then shows `content`.
struct Loaded<Value, Content: View>: View {
    var key = ""
    let load: () async throws -> Value
    @ViewBuilder let content: (Value, @escaping () -> Void) -> Content

    @State private var value: Value?
    @State private var error: String?
    @State private var generation = 0

    var body: some View {
        Group {
            if let value {
                content(value) { generation += 1 }
            } else if let error {
                Text(error).foregroundColor(.red).padding()
            } else {
                ProgressView()
            }
        }
        .task(id: "\(key)#\(generation)") {
            do {
                value = try await load()
                error = nil
            } catch {
                self.error = describe(error)
            }
        }
    }
}

/// What to tell the learner about `error`.
func describe(_ error: Error) -> String {
    guard let error = error as? SkillpackError else {
        return String(localized: "Something went wrong in the app.")
    }
    switch error {
    case .InvalidInput: return String(localized: "That did not work: something in it is not right.")
    case .NotFound: return String(localized: "That is not on this phone.")
    case .Untrusted(let fingerprint, _): return String(localized: "This pack's trainer is not trusted yet (code \(fingerprint)).")
    case .CoolingDown(let until, _): return String(localized: "You can try again from \(formatTime(until)).")
    case .Corrupt: return String(localized: "This file is damaged or was changed. Nothing was installed.")
    case .Offline: return String(localized: "No connection. It will try again later.")
    case .Server(let code, _): return String(localized: "The hub said no (\(code)).")
    case .Storage: return String(localized: "The phone could not save. Is its storage full?")
    case .Cancelled: return String(localized: "Stopped.")
    case .Closed: return String(localized: "The app needs a restart.")
    case .Internal: return String(localized: "Something went wrong in the app.")
    }
}

/// The error's kind, for logs (never its message: no paths, keys or answers in logs).
func errorKind(_ error: Error) -> String {
    guard let error = error as? SkillpackError else { return String(describing: type(of: error)) }
    return String(String(describing: error).prefix { $0 != "(" })
}

/// A moment (ms since the epoch) in the phone's language and time zone.
func formatTime(_ epochMs: Int64) -> String {
    Date(timeIntervalSince1970: Double(epochMs) / 1000).formatted(date: .abbreviated, time: .shortened)
}
