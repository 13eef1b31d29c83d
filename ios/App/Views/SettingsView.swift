// The learner's settings (media quality, sync on Wi-Fi only, monthly data budget, language),
// stored by the core; then joining a trainer's group with an enrolment code, and syncing now
// with progress and a cancel button (through SyncRunner, so the data settings hold here too).
import SkillpackCore
import SwiftUI

struct SettingsView: View {
    var body: some View {
        Loaded(load: { try await Core.shared.call { (try $0.settings(), try $0.meteredUseThisMonth()) } }) { loaded, reload in
            Form {
                SettingsSection(saved: loaded.0, usedBytes: loaded.1, onSaved: reload)
                JoinSection()
                SyncSection()
            }
        }
        .navigationTitle("Settings")
    }
}

private struct SettingsSection: View {
    let saved: LearnerSettings
    /// What syncs have moved on mobile data this month, as the core counts it.
    let usedBytes: UInt64
    let onSaved: () -> Void
    @State private var media: Rendition
    @State private var unmeteredOnly: Bool
    @State private var budget: String
    @State private var language: String
    @State private var status: String?

    init(saved: LearnerSettings, usedBytes: UInt64, onSaved: @escaping () -> Void) {
        self.saved = saved
        self.usedBytes = usedBytes
        self.onSaved = onSaved
        _media = State(initialValue: saved.media)
        _unmeteredOnly = State(initialValue: saved.unmeteredOnly)
        _budget = State(initialValue: String(saved.monthlyBudgetMb))
        _language = State(initialValue: saved.language ?? "")
    }

    var body: some View {
        Section(header: Text("Pictures and audio")) {
            Picker("Pictures and audio", selection: $media) {
                Text("Full quality").tag(Rendition.full)
                Text("Save data (smaller files)").tag(Rendition.low)
            }
            .pickerStyle(.inline)
            .labelsHidden()
        }
        // 1 MB = 1,000,000 bytes, as carriers (and the core) count.
        let used = (Double(usedBytes) / 1_000_000).formatted(.number.precision(.fractionLength(1)))
        Section(header: Text("Data"),
                footer: Text("Mobile data per month: 0 means no limit. Used this month: \(used) MB.")) {
            Toggle("Sync only on Wi-Fi (no mobile data)", isOn: $unmeteredOnly)
            TextField("Mobile data per month (MB)", text: $budget).keyboardType(.numberPad)
            TextField("Language (for example en, sw, es)", text: $language)
                .textInputAutocapitalization(.never)
            Button("Save", action: save)
            if let status { Text(status).font(.footnote) }
        }
    }

    private func save() {
        var next = saved
        next.media = media
        next.unmeteredOnly = unmeteredOnly
        next.monthlyBudgetMb = UInt32(budget.filter(\.isNumber)) ?? 0
        let trimmed = language.trimmingCharacters(in: .whitespaces)
        next.language = trimmed.isEmpty ? nil : trimmed
        let settings = next
        Task { @MainActor in
            do {
                try await Core.shared.call { try $0.setSettings(settings: settings) }
                status = String(localized: "Saved")
                onSaved()
            } catch {
                status = describe(error)
            }
        }
    }
}

private struct JoinSection: View {
    @State private var hub = ""
    @State private var code = ""
    @State private var status: String?

    var body: some View {
        Section(header: Text("Join your trainer's group")) {
            TextField("Hub address", text: $hub)
                .keyboardType(.URL).textInputAutocapitalization(.never).disableAutocorrection(true)
            TextField("Enrolment code", text: $code)
                .textInputAutocapitalization(.characters).disableAutocorrection(true)
            Button("Join", action: join).disabled(hub.isEmpty || code.isEmpty)
            if let status { Text(status).font(.footnote) }
        }
    }

    private func join() {
        let (url, enrolment) = (hub.trimmingCharacters(in: .whitespaces), code.trimmingCharacters(in: .whitespaces))
        Task { @MainActor in
            do {
                let group = try await Core.shared.call { try $0.register(hubUrl: url, code: enrolment) }
                status = String(localized: "You joined the group \(group)")
            } catch {
                status = describe(error)
            }
        }
    }
}

private struct SyncSection: View {
    @State private var progress: Double?
    @State private var listener: SyncProgress?
    @State private var status: String?

    var body: some View {
        Section(header: Text("Sync")) {
            if let progress {
                ProgressView(value: progress)
                Button("Cancel") { listener?.cancel() }
            } else {
                Button("Sync now", action: sync)
            }
            if let status { Text(status).font(.footnote) }
        }
    }

    private func sync() {
        // The core reports progress on its own queue; the screen updates on the main one.
        let listener = SyncProgress { value in DispatchQueue.main.async { progress = value } }
        self.listener = listener
        progress = 0
        Task { @MainActor in
            do {
                switch try await SyncRunner.run(listener: listener) {
                case .skipped:
                    status = String(localized: "Not synced: your data settings allow it only on Wi-Fi or within this month's data budget.")
                case .done(let view):
                    var lines = [String(localized: "Sent \(view.pushed) results (\(view.alreadyThere) already there, \(view.rejected.count) refused). \(view.installed.count) packs new or updated.")]
                    if !view.deferred.isEmpty {
                        let waiting = view.deferred.map { "\($0.id) \($0.version)" }.joined(separator: ", ")
                        lines.append(String(localized: "Waiting for Wi-Fi or next month's data budget: \(waiting)"))
                    }
                    status = lines.joined(separator: "\n")
                }
            } catch {
                status = describe(error)
            }
            progress = nil
            self.listener = nil
        }
    }
}
