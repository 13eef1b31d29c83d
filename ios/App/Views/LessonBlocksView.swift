// A lesson as the core lays it out: one view per block, styled runs of text, pictures and audio
// by their index in the lesson's media. The app parses no Markdown and matches no paths, so a
// lesson reads the same here as on Android.
import SkillpackCore
import SwiftUI

/// The link a run to another lesson carries; tapping it opens that lesson in the app.
private let lessonScheme = "skillpack-lesson"

struct LessonBlocksView: View {
    let blocks: [LessonBlock]
    let media: [MediaItem]
    /// Opens another lesson of the module, by index.
    let openLesson: (Int) -> Void
    /// The blocks on screen now, by index: the topmost is where the learner is reading.
    @Binding var visible: Set<Int>

    var body: some View {
        LazyVStack(alignment: .leading, spacing: 10) {
            ForEach(Array(blocks.enumerated()), id: \.offset) { index, block in
                blockView(block)
                    .frame(maxWidth: .infinity, alignment: .leading)
                    .id(index)
                    .onAppear { visible.insert(index) }
                    .onDisappear { visible.remove(index) }
            }
        }
        .environment(\.openURL, OpenURLAction { url in
            guard url.scheme == lessonScheme, let index = Int(url.host ?? "") else { return .discarded }
            openLesson(index)
            return .handled
        })
    }

    @ViewBuilder
    private func blockView(_ block: LessonBlock) -> some View {
        switch block {
        case .heading(let level, let text):
            Text(styled(text, base: level <= 1 ? .title2.bold() : .headline))
        case .paragraph(let text):
            Text(styled(text))
        case .listItem(let number, let depth, let text):
            HStack(alignment: .firstTextBaseline) {
                Text(number.map { "\($0)." } ?? "•").frame(width: 24, alignment: .leading)
                Text(styled(text))
            }
            .padding(.leading, CGFloat(depth) * 20)
        case .quote(let text):
            Text(styled(text))
                .padding(12)
                .background(Color.secondary.opacity(0.12), in: RoundedRectangle(cornerRadius: 8))
        case .code(let text):
            Text(text)
                .font(.callout.monospaced())
                .padding(12)
                .background(Color.secondary.opacity(0.08), in: RoundedRectangle(cornerRadius: 8))
        case .image(let index, let alt):
            MediaImage(item: item(index), alt: alt)
        case .audio(let index, let label):
            if let item = item(index) {
                AudioButton(item: item, label: label)
            } else {
                Text(label).italic().foregroundColor(.secondary)
            }
        case .rule:
            Divider()
        }
    }

    private func item(_ index: UInt32) -> MediaItem? {
        Int(index) < media.count ? media[Int(index)] : nil
    }
}

/// Runs of text in their styles over `base`; a run linking to another lesson is tappable.
func styled(_ spans: [Span], base: Font = .body) -> AttributedString {
    var out = AttributedString()
    for span in spans {
        var run = AttributedString(span.text)
        var font = span.code ? base.monospaced() : base
        if span.strong { font = font.bold() }
        if span.emphasis { font = font.italic() }
        run.font = font
        if let lesson = span.lesson {
            run.link = URL(string: "\(lessonScheme)://\(lesson)")
            run.underlineStyle = .single
        }
        out += run
    }
    return out
}
