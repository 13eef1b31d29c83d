//! Reads a lesson's Markdown (CommonMark) for what the build needs: its title (the first
//! `#` heading), the images and audio it shows, and links to other files, each with its line.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::diagnostics::Lines;

/// What a lesson's Markdown refers to.
#[derive(Debug, Default)]
pub(crate) struct MarkdownScan {
    /// The text of the first level-1 heading.
    pub title: Option<String>,
    /// Images, audio links and other relative links, in document order.
    pub links: Vec<Link>,
    /// Lines with raw HTML, which the app does not render.
    pub html_lines: Vec<usize>,
}

/// A link or image found in Markdown.
#[derive(Debug)]
pub(crate) struct Link {
    /// The target as written.
    pub target: String,
    /// The 1-based line where it appears.
    pub line: usize,
    /// True for `![alt](…)`, false for `[text](…)`.
    pub is_image: bool,
    /// The image's alternative text (empty for links).
    pub alt: String,
}

/// Scans Markdown text.
pub(crate) fn scan(text: &str) -> MarkdownScan {
    let lines = Lines::new(text);
    let mut out = MarkdownScan::default();
    let mut in_title = false;
    let mut title = String::new();
    let mut open_image: Option<usize> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if out.title.is_none() => in_title = true,
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if in_title => {
                in_title = false;
                out.title = Some(title.trim().to_owned());
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                open_image = Some(out.links.len());
                out.links.push(Link {
                    target: dest_url.into_string(),
                    line: lines.of(range.start),
                    is_image: true,
                    alt: String::new(),
                });
            }
            Event::End(TagEnd::Image) => open_image = None,
            Event::Start(Tag::Link { dest_url, .. }) => out.links.push(Link {
                target: dest_url.into_string(),
                line: lines.of(range.start),
                is_image: false,
                alt: String::new(),
            }),
            Event::Text(t) | Event::Code(t) => {
                if let Some(link) = open_image.and_then(|i| out.links.get_mut(i)) {
                    link.alt.push_str(&t);
                } else if in_title {
                    title.push_str(&t);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                out.html_lines.push(lines.of(range.start));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_title_images_and_links_with_lines() {
        let md = "# Greeting *customers*\n\nSay hello.\n\n![A smile](../images/smile.png)\n\n\
                  [Listen](../audio/hello.mp3) and <b>bold</b>\n";
        let scan = scan(md);
        assert_eq!(scan.title.as_deref(), Some("Greeting customers"));
        assert_eq!(scan.links.len(), 2);
        assert_eq!(scan.links[0].target, "../images/smile.png");
        assert_eq!(scan.links[0].line, 5);
        assert_eq!(scan.links[0].alt, "A smile");
        assert!(!scan.links[1].is_image);
        assert_eq!(scan.links[1].line, 7);
        assert_eq!(scan.html_lines, vec![7, 7]);
    }
}
