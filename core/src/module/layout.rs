//! A lesson's Markdown laid out as blocks for a phone screen: headings, paragraphs, list
//! items, quotes, code, rules, and the lesson's images and audio by their place in its media
//! list. The apps draw blocks and never parse Markdown, so a lesson reads the same on every
//! phone; links to other lessons become lesson numbers, since everything is offline.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::media::{media_kind, MediaKind};
use super::source::resolve_link;

/// One block of a lesson, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum LessonBlock {
    /// A heading, level 1 (the lesson title) to 6.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Its text.
        text: Vec<Span>,
    },
    /// A paragraph.
    Paragraph {
        /// Its text.
        text: Vec<Span>,
    },
    /// One item of a list (nested lists give deeper items).
    ListItem {
        /// The item's number in a numbered list, `None` for a bulleted one.
        number: Option<u64>,
        /// 0 for a top-level item, 1 inside it, and so on.
        depth: u32,
        /// Its text.
        text: Vec<Span>,
    },
    /// A quoted passage (a tip, a warning).
    Quote {
        /// Its text.
        text: Vec<Span>,
    },
    /// Preformatted text, shown as written.
    Code {
        /// The text.
        text: String,
    },
    /// A picture: `media` is its index in the lesson's media list.
    Image {
        /// Index into `LessonContent.media`.
        media: u32,
        /// What it shows, for screen readers and when there is no picture.
        alt: String,
    },
    /// A sound clip to play: `media` is its index in the lesson's media list.
    Audio {
        /// Index into `LessonContent.media`.
        media: u32,
        /// The link's words (`Listen to the greeting`).
        label: String,
    },
    /// A dividing line.
    Rule,
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Span {
    /// The text; a line break inside a paragraph is `\n`.
    pub text: String,
    /// Bold.
    pub strong: bool,
    /// Italic.
    pub emphasis: bool,
    /// Code (monospace).
    pub code: bool,
    /// A link to another lesson of the module: its index.
    pub lesson: Option<u32>,
}

/// What the layout needs to know about the lesson's module.
#[derive(Debug, Clone, Copy)]
pub struct LayoutContext<'a> {
    /// The lesson's path in the module (`lessons/01-brakes.md`); links are relative to it.
    pub lesson_path: &'a str,
    /// The lesson's media paths, relative to the module, in the order the app receives them.
    pub media: &'a [String],
    /// Every lesson path of the module, in order.
    pub lessons: &'a [&'a str],
}

/// Lays out `markdown` as blocks.
pub fn lay_out(markdown: &str, context: LayoutContext<'_>) -> Vec<LessonBlock> {
    let mut out = Layout::new(context);
    for event in Parser::new(markdown) {
        out.event(event);
    }
    out.flush();
    out.blocks
}

/// Where a link points, once resolved against the module.
enum Target {
    Media(u32, MediaKind),
    Lesson(u32),
    Elsewhere,
}

/// The block being gathered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    None,
    Heading(u8),
    Paragraph,
    Item { number: Option<u64>, depth: u32 },
    Code,
}

struct Layout<'a> {
    context: LayoutContext<'a>,
    blocks: Vec<LessonBlock>,
    open: Open,
    spans: Vec<Span>,
    code: String,
    style: Span,
    quote_depth: u32,
    /// Open lists: the next number of each (None for bullets).
    lists: Vec<Option<u64>>,
    /// Inside an image (its text is the alt text) or an audio link (its label).
    media: Option<(u32, MediaKind, String)>,
}

impl<'a> Layout<'a> {
    fn new(context: LayoutContext<'a>) -> Self {
        Self {
            context,
            blocks: Vec::new(),
            open: Open::None,
            spans: Vec::new(),
            code: String::new(),
            style: Span::default(),
            quote_depth: 0,
            lists: Vec::new(),
            media: None,
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(text) => {
                let was = std::mem::replace(&mut self.style.code, true);
                self.text(&text);
                self.style.code = was;
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.text("\n"),
            Event::Rule => {
                self.flush();
                self.blocks.push(LessonBlock::Rule);
            }
            // Raw HTML is not shown (the build warns about it); the rest has no place here.
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => self.begin(Open::Heading(heading_level(level))),
            Tag::Paragraph if matches!(self.open, Open::Item { .. }) => self.next_line_in_item(),
            Tag::Paragraph => self.begin(Open::Paragraph),
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote_depth += 1;
            }
            Tag::CodeBlock(_) => self.begin(Open::Code),
            Tag::List(first) => {
                self.flush();
                self.lists.push(first);
            }
            Tag::Item => {
                let depth = self.lists.len().saturating_sub(1) as u32;
                let number = self.lists.last_mut().and_then(|next| {
                    let number = *next;
                    *next = next.map(|n| n.saturating_add(1));
                    number
                });
                self.begin(Open::Item { number, depth });
            }
            Tag::Emphasis => self.style.emphasis = true,
            Tag::Strong => self.style.strong = true,
            Tag::Link { dest_url, .. } => match self.resolve(&dest_url) {
                Target::Media(index, MediaKind::Audio) => {
                    self.media = Some((index, MediaKind::Audio, String::new()))
                }
                Target::Media(index, MediaKind::Image) => {
                    self.media = Some((index, MediaKind::Image, String::new()))
                }
                Target::Lesson(index) => self.style.lesson = Some(index),
                Target::Elsewhere => {}
            },
            Tag::Image { dest_url, .. } => {
                if let Target::Media(index, _) = self.resolve(&dest_url) {
                    self.media = Some((index, MediaKind::Image, String::new()));
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Item => self.flush(),
            TagEnd::Paragraph if !matches!(self.open, Open::Item { .. }) => self.flush(),
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Emphasis => self.style.emphasis = false,
            TagEnd::Strong => self.style.strong = false,
            TagEnd::Link => {
                self.style.lesson = None;
                self.place_media();
            }
            TagEnd::Image => self.place_media(),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((_, _, words)) = &mut self.media {
            words.push_str(text);
            return;
        }
        if self.open == Open::Code {
            self.code.push_str(text);
            return;
        }
        if self.open == Open::None {
            // Text outside any block (in a tight list item after a nested list, say).
            self.begin(Open::Paragraph);
        }
        match self.spans.last_mut() {
            Some(last) if same_style(last, &self.style) => last.text.push_str(text),
            _ => self.spans.push(Span {
                text: text.to_owned(),
                ..self.style.clone()
            }),
        }
    }

    /// A loose list item's paragraphs stay one item, a line apart.
    fn next_line_in_item(&mut self) {
        if !self.spans.is_empty() {
            self.text("\n");
        }
    }

    /// Ends the text gathered so far and puts the image or audio after it, where the
    /// Markdown had it; the text that follows continues the same block.
    fn place_media(&mut self) {
        let Some((media, kind, words)) = self.media.take() else {
            return;
        };
        let open = self.open;
        self.flush();
        self.blocks.push(match kind {
            MediaKind::Image => LessonBlock::Image { media, alt: words },
            MediaKind::Audio => LessonBlock::Audio {
                media,
                label: words,
            },
        });
        if open != Open::Code {
            self.open = open;
        }
    }

    fn begin(&mut self, open: Open) {
        self.flush();
        self.open = open;
    }

    /// Turns what was gathered into a block.
    fn flush(&mut self) {
        let open = std::mem::replace(&mut self.open, Open::None);
        if open == Open::Code {
            let text = std::mem::take(&mut self.code);
            self.blocks.push(LessonBlock::Code {
                text: text.strip_suffix('\n').unwrap_or(&text).to_owned(),
            });
            return;
        }
        let mut text = std::mem::take(&mut self.spans);
        trim_spans(&mut text);
        if text.is_empty() {
            return;
        }
        self.blocks.push(match open {
            Open::Heading(level) => LessonBlock::Heading { level, text },
            Open::Item { number, depth } => LessonBlock::ListItem {
                number,
                depth,
                text,
            },
            _ if self.quote_depth > 0 => LessonBlock::Quote { text },
            _ => LessonBlock::Paragraph { text },
        });
    }

    fn resolve(&self, target: &str) -> Target {
        let dir = self
            .context
            .lesson_path
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir);
        let Ok(path) = resolve_link(dir, target) else {
            return Target::Elsewhere;
        };
        if let Some(index) = self.context.media.iter().position(|m| *m == path) {
            if let Some(kind) = media_kind(&path) {
                return Target::Media(index as u32, kind);
            }
        }
        match self.context.lessons.iter().position(|l| *l == path) {
            Some(index) => Target::Lesson(index as u32),
            None => Target::Elsewhere,
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn same_style(a: &Span, b: &Span) -> bool {
    (a.strong, a.emphasis, a.code, a.lesson) == (b.strong, b.emphasis, b.code, b.lesson)
}

/// Drops the blank start and end of a block's text (left where an image was taken out).
fn trim_spans(spans: &mut Vec<Span>) {
    if let Some(first) = spans.first_mut() {
        first.text = first.text.trim_start().to_owned();
    }
    if let Some(last) = spans.last_mut() {
        last.text = last.text.trim_end().to_owned();
    }
    spans.retain(|s| !s.text.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Vec<Span> {
        vec![Span {
            text: text.into(),
            ..Span::default()
        }]
    }

    fn lay_out_lesson(markdown: &str) -> Vec<LessonBlock> {
        let media = ["images/brake.png".to_owned(), "audio/hello.mp3".to_owned()];
        lay_out(
            markdown,
            LayoutContext {
                lesson_path: "lessons/01-brakes.md",
                media: &media,
                lessons: &["lessons/01-brakes.md", "lessons/02-tyres.md"],
            },
        )
    }

    #[test]
    fn blocks_in_order_with_media_by_index() {
        let md = "# Brakes\n\nSqueeze **both** levers,\nthen *ride*.\n\n\
                  ![A brake lever](../images/brake.png)\n\n\
                  [Listen to this](../audio/hello.mp3)\n\n---\n\n> Check daily.\n\n\
                  ```\nlever -> cable\n```\n";
        let strong = Span {
            text: "both".into(),
            strong: true,
            ..Span::default()
        };
        let emphasis = Span {
            text: "ride".into(),
            emphasis: true,
            ..Span::default()
        };
        assert_eq!(
            lay_out_lesson(md),
            vec![
                LessonBlock::Heading {
                    level: 1,
                    text: plain("Brakes")
                },
                LessonBlock::Paragraph {
                    text: vec![
                        plain("Squeeze ").remove(0),
                        strong,
                        plain(" levers, then ").remove(0),
                        emphasis,
                        plain(".").remove(0),
                    ]
                },
                LessonBlock::Image {
                    media: 0,
                    alt: "A brake lever".into()
                },
                LessonBlock::Audio {
                    media: 1,
                    label: "Listen to this".into()
                },
                LessonBlock::Rule,
                LessonBlock::Quote {
                    text: plain("Check daily.")
                },
                LessonBlock::Code {
                    text: "lever -> cable".into()
                },
            ]
        );
    }

    #[test]
    fn an_image_inside_a_paragraph_splits_it_where_it_stood() {
        assert_eq!(
            lay_out_lesson("Before ![lever](../images/brake.png) after."),
            vec![
                LessonBlock::Paragraph {
                    text: plain("Before")
                },
                LessonBlock::Image {
                    media: 0,
                    alt: "lever".into()
                },
                LessonBlock::Paragraph {
                    text: plain("after.")
                },
            ]
        );
    }

    #[test]
    fn lists_keep_numbers_and_depth() {
        let md = "3. First\n4. Second\n   - inner\n     more\n\n- loose\n\n  still loose\n";
        assert_eq!(
            lay_out_lesson(md),
            vec![
                LessonBlock::ListItem {
                    number: Some(3),
                    depth: 0,
                    text: plain("First")
                },
                LessonBlock::ListItem {
                    number: Some(4),
                    depth: 0,
                    text: plain("Second")
                },
                LessonBlock::ListItem {
                    number: None,
                    depth: 1,
                    text: plain("inner more")
                },
                LessonBlock::ListItem {
                    number: None,
                    depth: 0,
                    text: plain("loose\nstill loose")
                },
            ]
        );
    }

    #[test]
    fn links_to_lessons_become_numbers_and_other_links_plain_text() {
        let blocks = lay_out_lesson(
            "Next: [tyres](02-tyres.md#top), or [a%20missing](nope.md) and [web](https://x.org).",
        );
        let LessonBlock::Paragraph { text } = &blocks[0] else {
            panic!("{blocks:?}");
        };
        let linked: Vec<_> = text.iter().map(|s| (s.text.as_str(), s.lesson)).collect();
        assert_eq!(
            linked,
            vec![
                ("Next: ", None),
                ("tyres", Some(1)),
                (", or a%20missing and web.", None),
            ]
        );
    }

    #[test]
    fn markdown_from_anywhere_lays_out_without_panicking() {
        let nasty = [
            "",
            "![",
            "![](",
            "[x](../../../etc/passwd)",
            "> > > deep",
            "1.\n2.\n3.",
            "```",
            "*a **b* c**",
            "<b>html</b>",
            "- [ ] task",
            "\u{0}\u{feff}",
            "![a](../images/brake.png)![b](../audio/hello.mp3)",
        ];
        for md in nasty {
            let _ = lay_out_lesson(md);
        }
        let deep = "- a\n".repeat(2) + &"  ".repeat(200) + "- deep";
        let _ = lay_out_lesson(&deep);
    }
}
