// Reading a module's lessons one at a time. The time a lesson is on screen (monotonic clock,
// paused while the app is in the background) is recorded with the core when the learner
// leaves it; the core decides what it counts for.
import SkillpackCore
import SwiftUI

struct LessonView: View {
    let moduleId: String
    let count: Int
    @State private var index = 0
    @State private var since: TimeInterval?
    @Environment(\.scenePhase) private var phase

    var body: some View {
        VStack(spacing: 0) {
            Loaded(key: "\(index)", load: { [index] in
                try await Core.shared.call { try $0.lesson(moduleId: moduleId, index: UInt32(index)) }
            }) { lesson, _ in
                ScrollView {
                    VStack(alignment: .leading, spacing: 12) {
                        Text(lesson.title).font(.title2.bold())
                        MarkdownView(markdown: lesson.markdown, media: lesson.media)
                    }
                    .padding()
                }
                .id(index) // each lesson starts at its top
            }
            .frame(maxHeight: .infinity)
            HStack {
                Button("Back") { go(to: index - 1) }.disabled(index == 0)
                Spacer()
                Text("\(index + 1) of \(count)")
                Spacer()
                if index + 1 < count {
                    Button("Next") { go(to: index + 1) }
                } else {
                    NavigationLink("Take the quiz", destination: QuizView(moduleId: moduleId))
                }
            }
            .padding()
        }
        .onAppear { since = ProcessInfo.processInfo.systemUptime }
        .onDisappear { flush() }
        .onChange(of: phase) { phase in
            if phase == .active {
                if since == nil { since = ProcessInfo.processInfo.systemUptime }
            } else {
                flush()
            }
        }
    }

    private func go(to next: Int) {
        flush()
        index = next
        since = ProcessInfo.processInfo.systemUptime
    }

    /// Records the span since `since` for the lesson shown.
    private func flush() {
        guard let start = since else { return }
        since = nil
        let spent = UInt64(max(0, ProcessInfo.processInfo.systemUptime - start) * 1000)
        let (module, lesson) = (moduleId, UInt32(index))
        Core.shared.post { try $0.recordProgress(moduleId: module, index: lesson, spentMs: spent, position: nil) }
    }
}
