// The library: every installed module with where the learner stands (all from the core's
// catalog), and adding a pack from a file. The core checks the signature; for a publisher it
// does not know it returns a fingerprint, and only the learner can accept it.
import SkillpackCore
import SwiftUI
import UniformTypeIdentifiers

private struct UnknownPack: Identifiable {
    let id = UUID()
    let file: URL
    let fingerprint: String
}

struct LibraryView: View {
    @State private var changes = 0
    @State private var picking = false
    @State private var unknown: UnknownPack?
    @State private var message: String?

    var body: some View {
        Loaded(key: "\(changes)", load: { try await Core.shared.call { try $0.catalog() } }) { entries, _ in
            List {
                if let message { Text(message).font(.footnote) }
                if entries.isEmpty {
                    Text("No modules yet. Add a pack your trainer gave you with +, or join your trainer's group in Settings.")
                }
                ForEach(entries, id: \.id) { entry in
                    NavigationLink(destination: ModuleView(entry: entry, onRemoved: { changes += 1 })) {
                        ModuleRow(entry: entry)
                    }
                }
            }
        }
        .navigationTitle("Library")
        .toolbar {
            Button { picking = true } label: { Image(systemName: "plus") }
                .accessibilityLabel("Add a pack")
        }
        .fileImporter(isPresented: $picking, allowedContentTypes: [.data]) { result in
            if case .success(let url) = result { copyAndInstall(url) }
        }
        .sheet(item: $unknown) { pack in
            TrustSheet(fingerprint: pack.fingerprint) { label in
                unknown = nil
                trustAndInstall(pack, label: label)
            } onCancel: {
                unknown = nil
                try? FileManager.default.removeItem(at: pack.file)
            }
        }
    }

    /// The core reads packs from a path inside the app; a picked file may live elsewhere.
    private func copyAndInstall(_ picked: URL) {
        let scoped = picked.startAccessingSecurityScopedResource()
        defer { if scoped { picked.stopAccessingSecurityScopedResource() } }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".skillpack")
        do {
            try FileManager.default.copyItem(at: picked, to: copy)
            install(copy)
        } catch {
            message = String(localized: "That file could not be read.")
        }
    }

    private func install(_ file: URL) {
        Task { @MainActor in
            do {
                let view = try await Core.shared.call { try $0.install(path: file.path) }
                try? FileManager.default.removeItem(at: file)
                message = String(localized: "Installed \(view.packId) \(view.version)")
                changes += 1
            } catch SkillpackError.Untrusted(let fingerprint, _) {
                unknown = UnknownPack(file: file, fingerprint: fingerprint)
            } catch {
                try? FileManager.default.removeItem(at: file)
                message = describe(error)
            }
        }
    }

    private func trustAndInstall(_ pack: UnknownPack, label: String) {
        Task { @MainActor in
            do {
                _ = try await Core.shared.call { try $0.trustPublisherOf(path: pack.file.path, label: label) }
                install(pack.file)
            } catch {
                message = describe(error)
            }
        }
    }
}

private struct TrustSheet: View {
    let fingerprint: String
    let onTrust: (String) -> Void
    let onCancel: () -> Void
    @State private var label = ""

    var body: some View {
        NavigationView {
            Form {
                Text("This pack comes from a trainer this phone does not know yet. Only trust it if your trainer shows you exactly this code:")
                Text(fingerprint).font(.title3.monospaced())
                TextField("Trainer's name", text: $label)
            }
            .navigationTitle("Unknown trainer")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("Cancel", action: onCancel) }
                ToolbarItem(placement: .confirmationAction) { Button("Trust and install") { onTrust(label) } }
            }
        }
    }
}

struct ModuleRow: View {
    let entry: CatalogEntry

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(entry.title).font(.headline)
            Text("About \(entry.minutes) min · \(entry.lessonsOpened) of \(entry.lessons) lessons opened")
                .font(.subheadline)
            Text(stateText(entry.state)).font(.subheadline).foregroundColor(.accentColor)
        }
    }
}

func stateText(_ state: ModuleState) -> String {
    switch state {
    case .new: return String(localized: "New")
    case .inProgress: return String(localized: "In progress")
    case .passed: return String(localized: "Passed")
    case .failed: return String(localized: "Not passed yet")
    case .coolingDown(let until): return String(localized: "Next try from \(formatTime(until))")
    }
}

/// One module: read it, take its quiz, or remove its pack.
private struct ModuleView: View {
    let entry: CatalogEntry
    let onRemoved: () -> Void
    @State private var confirmRemove = false
    @State private var error: String?
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        List {
            ModuleRow(entry: entry)
            NavigationLink("Read", destination: LessonView(moduleId: entry.id, count: Int(entry.lessons)))
            NavigationLink("Take the quiz", destination: QuizView(moduleId: entry.id))
            Button("Remove pack \(entry.packId)", role: .destructive) { confirmRemove = true }
            if let error { Text(error).foregroundColor(.red) }
        }
        .navigationTitle(entry.title)
        .confirmationDialog("Its lessons go. Your progress and results stay.", isPresented: $confirmRemove, titleVisibility: .visible) {
            Button("Remove", role: .destructive) { remove() }
        }
    }

    private func remove() {
        Task { @MainActor in
            do {
                try await Core.shared.call { try $0.uninstall(packId: entry.packId) }
                onRemoved()
                dismiss()
            } catch {
                self.error = describe(error)
            }
        }
    }
}
