// A small Markdown reader for lessons: headings, paragraphs, bullet and numbered lists,
// inline emphasis, code and links (Foundation's inline Markdown), images from the lesson's
// media and links to audio (a play button). Lessons come from the core as the trainer wrote them.
import Foundation
import SkillpackCore
import SwiftUI

enum MarkdownBlock: Hashable {
    case heading(level: Int, text: String)
    case paragraph(String)
    case item(marker: String, text: String)
    case image(alt: String, target: String)
    /// A line that is only a link: audio gets a play button, anything else shows its text.
    case link(label: String, target: String)
}

private func regex(_ pattern: String) -> NSRegularExpression {
    // The patterns are constants below; a typo is a programming error caught on first run.
    try! NSRegularExpression(pattern: pattern)
}

private let heading = regex(#"^(#{1,6})\s+(.*)$"#)
private let image = regex(#"^!\[(.*?)\]\((\S+?)(?:\s+"[^"]*")?\)$"#)
private let linkLine = regex(#"^\[(.+?)\]\((\S+?)(?:\s+"[^"]*")?\)$"#)
private let bullet = regex(#"^[-*+]\s+(.*)$"#)
private let numbered = regex(#"^(\d+)[.)]\s+(.*)$"#)

/// The capture groups of `pattern` if it matches all of `line`.
private func groups(_ pattern: NSRegularExpression, _ line: String) -> [String]? {
    let range = NSRange(line.startIndex..., in: line)
    guard let match = pattern.firstMatch(in: line, range: range) else { return nil }
    return (1..<match.numberOfRanges).map { i in
        Range(match.range(at: i), in: line).map { String(line[$0]) } ?? ""
    }
}

private func block(_ line: String) -> MarkdownBlock? {
    if let g = groups(heading, line) { return .heading(level: g[0].count, text: g[1]) }
    if let g = groups(image, line) { return .image(alt: g[0], target: g[1]) }
    if let g = groups(linkLine, line) { return .link(label: g[0], target: g[1]) }
    if let g = groups(bullet, line) { return .item(marker: "•", text: g[0]) }
    if let g = groups(numbered, line) { return .item(marker: g[0] + ".", text: g[1]) }
    return nil
}

func parseBlocks(_ markdown: String) -> [MarkdownBlock] {
    var blocks: [MarkdownBlock] = []
    var paragraph: [String] = []
    func endParagraph() {
        if !paragraph.isEmpty { blocks.append(.paragraph(paragraph.joined(separator: " "))) }
        paragraph = []
    }
    for raw in markdown.components(separatedBy: .newlines) {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if let found = block(line) {
            endParagraph()
            blocks.append(found)
        } else if line.isEmpty {
            endParagraph()
        } else {
            paragraph.append(line)
        }
    }
    endParagraph()
    return blocks
}

/// Emphasis, code and links within one block.
func inline(_ text: String) -> AttributedString {
    let options = AttributedString.MarkdownParsingOptions(interpretedSyntax: .inlineOnlyPreservingWhitespace)
    return (try? AttributedString(markdown: text, options: options)) ?? AttributedString(text)
}

/// The media item a lesson link points at. Links are relative to the lesson file and media
/// paths to the module folder, so `../images/a.png` is `images/a.png`.
func findMedia(_ media: [MediaItem], _ target: String) -> MediaItem? {
    let path = target.split(separator: "#").first.map(String.init) ?? target
    let clean = path.split(separator: "/").filter { $0 != "." && $0 != ".." }.joined(separator: "/")
    return media.first { $0.path == clean } ?? media.first { $0.path.hasSuffix("/" + clean) }
}

struct MarkdownView: View {
    let markdown: String
    let media: [MediaItem]

    var body: some View {
        let blocks = parseBlocks(markdown)
        VStack(alignment: .leading, spacing: 10) {
            ForEach(Array(blocks.enumerated()), id: \.offset) { _, block in
                blockView(block)
            }
        }
    }

    @ViewBuilder
    private func blockView(_ block: MarkdownBlock) -> some View {
        switch block {
        case .heading(let level, let text):
            Text(inline(text)).font(level <= 1 ? .title2.bold() : .headline)
        case .paragraph(let text):
            Text(inline(text))
        case .item(let marker, let text):
            HStack(alignment: .firstTextBaseline) {
                Text(marker).frame(width: 24, alignment: .leading)
                Text(inline(text))
            }
        case .image(let alt, let target):
            MediaImage(item: findMedia(media, target), alt: alt)
        case .link(let label, let target):
            if let item = findMedia(media, target), isAudio(item) {
                AudioButton(item: item, label: label)
            } else {
                Text(inline("[\(label)](\(target))"))
            }
        }
    }
}
