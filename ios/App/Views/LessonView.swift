// Reading a module's lessons one at a time. The time a lesson is on screen (monotonic clock,
// paused while the app is in the background) and the first block on screen are recorded with
// the core when the learner leaves it; the lesson opens at that block next time.
import SkillpackCore
import SwiftUI

struct LessonView: View {
    let moduleId: String
    let count: Int
    @State private var index = 0

    var body: some View {
        VStack(spacing: 0) {
            Loaded(key: "\(index)", load: { [index] in
                let lesson = try await Core.shared.call { try $0.lesson(moduleId: moduleId, index: UInt32(index)) }
                return (index, lesson)
            }) { loaded, _ in
                // Keyed by the lesson shown, not the one asked for: while the next one loads the
                // last one stays on screen, and its timer and reading place must not carry over.
                LessonPage(moduleId: moduleId, index: loaded.0, lesson: loaded.1, openLesson: go(to:))
                    .id(loaded.0)
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
    }

    private func go(to next: Int) {
        guard next >= 0, next < count else { return }
        index = next
    }
}

/// One lesson on screen, with its own timer and reading place, recorded when it goes.
private struct LessonPage: View {
    let moduleId: String
    let index: Int
    let lesson: LessonContent
    let openLesson: (Int) -> Void
    @State private var since: TimeInterval?
    /// The first block on screen (see LessonBlocksView).
    @State private var top: Int?
    @Environment(\.scenePhase) private var phase

    var body: some View {
        LessonBlocksView(blocks: lesson.blocks, media: lesson.media,
                         resumeBlock: lesson.resumeBlock.map { Int($0) }, openLesson: openLesson, top: $top)
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

    /// Records the span since `since`, and the block the learner is at.
    private func flush() {
        guard let start = since else { return }
        since = nil
        let spent = UInt64(max(0, ProcessInfo.processInfo.systemUptime - start) * 1000)
        let (module, lesson, block) = (moduleId, UInt32(index), top.map { UInt32($0) })
        Core.shared.post { try $0.recordProgress(moduleId: module, index: lesson, spentMs: spent, block: block) }
    }
}
