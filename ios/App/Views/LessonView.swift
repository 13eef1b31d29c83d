// Reading a module's lessons one at a time. The time a lesson is on screen (monotonic clock,
// paused while the app is in the background) and the topmost block on screen are recorded with
// the core when the learner leaves it; the lesson opens at that block next time.
import SkillpackCore
import SwiftUI

struct LessonView: View {
    let moduleId: String
    let count: Int
    @State private var index = 0
    @State private var since: TimeInterval?
    /// Blocks of the lesson on screen now, by index (see LessonBlocksView).
    @State private var visible: Set<Int> = []
    @Environment(\.scenePhase) private var phase

    var body: some View {
        VStack(spacing: 0) {
            Loaded(key: "\(index)", load: { [index] in
                try await Core.shared.call { try $0.lesson(moduleId: moduleId, index: UInt32(index)) }
            }) { lesson, _ in
                ScrollViewReader { proxy in
                    ScrollView {
                        LessonBlocksView(blocks: lesson.blocks, media: lesson.media,
                                         openLesson: { go(to: $0) }, visible: $visible)
                            .padding()
                    }
                    .onAppear {
                        if let block = lesson.resumeBlock { proxy.scrollTo(Int(block), anchor: .top) }
                    }
                }
                .id(index) // each lesson has its own scroll position
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
        guard next >= 0, next < count else { return }
        flush()
        visible = []
        index = next
        since = ProcessInfo.processInfo.systemUptime
    }

    /// Records the span since `since` for the lesson shown.
    private func flush() {
        guard let start = since else { return }
        since = nil
        let spent = UInt64(max(0, ProcessInfo.processInfo.systemUptime - start) * 1000)
        let (module, lesson, block) = (moduleId, UInt32(index), visible.min().map { UInt32($0) })
        Core.shared.post { try $0.recordProgress(moduleId: module, index: lesson, spentMs: spent, block: block) }
    }
}
