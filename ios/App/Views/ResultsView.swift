// The learner's results, newest first: score, pass, when, and whether a hub has it yet. Each
// signed record can be shared as it is (its JSON verifies anywhere).
import SkillpackCore
import SwiftUI
import UIKit

private struct Shared: Identifiable {
    let id = UUID()
    let text: String
}

struct ResultsView: View {
    @State private var sharing: Shared?

    var body: some View {
        Loaded(load: {
            let all = try await Core.shared.call { try $0.results() }
            return Array(all.reversed())
        }) { results, _ in
            List {
                if results.isEmpty { Text("No results yet.") }
                ForEach(results, id: \.recordId) { result in
                    HStack {
                        VStack(alignment: .leading, spacing: 4) {
                            Text(result.moduleId).font(.headline)
                            Text("Attempt \(result.attempt) · \(pointsText(milliPoints: result.score)) of \(pointsText(milliPoints: result.maxScore)) points")
                            Text(result.passed ? "Passed" : "Not passed")
                            Text(formatTime(result.endedAt)).font(.caption)
                            Text(result.synced ? "Sent to your trainer" : "Waiting to be sent")
                                .font(.caption).foregroundColor(.accentColor)
                        }
                        Spacer()
                        Button { sharing = Shared(text: result.signedJson) } label: {
                            Image(systemName: "square.and.arrow.up")
                        }
                        .buttonStyle(.borderless)
                        .accessibilityLabel("Share this record")
                    }
                }
            }
        }
        .navigationTitle("Results")
        .sheet(item: $sharing) { ShareSheet(items: [$0.text]) }
    }
}

/// The system share sheet (ShareLink needs iOS 16).
private struct ShareSheet: UIViewControllerRepresentable {
    let items: [Any]

    func makeUIViewController(context: Context) -> UIActivityViewController {
        UIActivityViewController(activityItems: items, applicationActivities: nil)
    }

    func updateUIViewController(_ controller: UIActivityViewController, context: Context) {}
}
