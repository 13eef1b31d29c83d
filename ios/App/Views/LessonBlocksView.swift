// A lesson as the core lays it out: one view per block in a scroll view, styled runs of text,
// pictures and audio by their index in the lesson's media. The app parses no Markdown and
// matches no paths, so a lesson reads the same here as on Android. It opens at the block the
// learner stopped at and reports the first block on screen as they scroll.
import SkillpackCore
import SwiftUI

/// The link a run to another lesson carries; tapping it opens that lesson in the app.
private let lessonScheme = "skillpack-lesson"

struct LessonBlocksView: View {
    let blocks: [LessonBlock]
    let media: [MediaItem]
    /// The block to open at: where the learner stopped last time.
    let resumeBlock: Int?
    /// Opens another lesson of the module, by index.
    let openLesson: (Int) -> Void
    /// The first block on screen (Android's `firstVisibleItemIndex`), kept up to date.
    @Binding var top: Int?

    private static let space = "lesson"

    var body: some View {
        ScrollViewReader { proxy in
            ScrollView {
                LazyVStack(alignment: .leading, spacing: 10) {
                    ForEach(Array(blocks.enumerated()), id: \.offset) { index, block in
                        blockView(block)
                            .frame(maxWidth: .infinity, alignment: .leading)
                            .background(GeometryReader { place in
                                Color.clear.preference(key: BlockTops.self,
                                                       value: [index: place.frame(in: .named(Self.space)).minY])
                            })
                            .id(index)
                    }
                }
                .padding()
            }
            .coordinateSpace(name: Self.space)
            // From where the blocks sit, not from onAppear/onDisappear: a lazy stack also makes
            // blocks just off screen, and when the screen goes its blocks disappear in no set
            // order, so the set left at the end is not what the learner saw.
            .onPreferenceChange(BlockTops.self) { tops in
                let first = firstOnScreen(tops)
                if first != top { top = first }
            }
            .onAppear {
                guard let resumeBlock else { return }
                // After the first layout: before it a lazy stack may not know where the block is.
                DispatchQueue.main.async { proxy.scrollTo(resumeBlock, anchor: .top) }
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

/// Where each block laid out now starts, by index, relative to the top of the scroll view.
private struct BlockTops: PreferenceKey {
    static let defaultValue: [Int: CGFloat] = [:]

    static func reduce(value: inout [Int: CGFloat], nextValue: () -> [Int: CGFloat]) {
        value.merge(nextValue()) { $1 }
    }
}

/// The first block on screen: the last one starting at or above the top edge, or, scrolled to
/// the very top, the first one laid out.
private func firstOnScreen(_ tops: [Int: CGFloat]) -> Int? {
    tops.filter { $0.value <= 0 }.max { $0.value < $1.value }?.key ?? tops.keys.min()
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
            // Typed: UIKit's attributes also have an underline style with a `.single`.
            run.underlineStyle = Text.LineStyle.single
        }
        out += run
    }
    return out
}
