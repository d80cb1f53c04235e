//! Markdown to HTML for the documentation site and the HTML report: CommonMark with GitHub's
//! tables, every heading given a stable `id` (GitHub's slug rule) so a page can be linked by
//! section, and every link passed through the caller, which knows where pages live.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// What becomes of a link's destination.
pub enum Link {
    /// Keep or rewrite it.
    To(String),
    /// Drop the link, keep its text (a file of the repository the site does not publish).
    Text,
}

/// The headings of a rendered text, for a table of contents: (level, id, text).
pub type Outline = Vec<(u8, String, String)>;

/// Renders `markdown`; `link` decides every link destination. Returns the HTML, the outline
/// of `##` and `###` headings, and the plain text (for the search index).
pub fn render(markdown: &str, link: &dyn Fn(&str) -> Link) -> (String, Outline, String) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut outline = Outline::new();
    let mut text = String::new();
    let mut used: Vec<String> = Vec::new();
    // Whether the link being copied was dropped (its end is dropped too).
    let mut dropped_links: Vec<bool> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading {
                level,
                id: None,
                classes,
                attrs,
            }) => {
                let title = heading_text(&events[index + 1..]);
                let id = unique(slug(&title), &mut used);
                if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                    outline.push((*level as u8, id.clone(), title));
                }
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match link(dest_url) {
                Link::To(dest) => {
                    dropped_links.push(false);
                    out.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: CowStr::from(dest),
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                Link::Text => dropped_links.push(true),
            },
            Event::End(TagEnd::Link) => {
                if !dropped_links.pop().unwrap_or(false) {
                    out.push(event.clone());
                }
            }
            Event::Text(t) | Event::Code(t) => {
                text.push_str(t);
                text.push(' ');
                out.push(event.clone());
            }
            // Raw HTML in the sources is shown, not interpreted: the site never carries markup
            // it did not write itself.
            Event::Html(raw) | Event::InlineHtml(raw) => {
                out.push(Event::Text(raw.clone()));
            }
            _ => out.push(event.clone()),
        }
    }
    let mut html_out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html_out, out.into_iter());
    (crate::printable::guard_html(html_out), outline, text)
}

/// The text of a heading, from the events after its start up to its end.
fn heading_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

/// GitHub's heading anchors: lowercase, letters, digits, `-` and `_` kept, spaces to `-`,
/// everything else dropped.
pub fn slug(title: &str) -> String {
    title
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// `slug`, or `slug-1`, `slug-2`, ... when the page already has it (GitHub's rule).
fn unique(slug: String, used: &mut Vec<String>) -> String {
    let mut candidate = slug.clone();
    let mut n = 0;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{slug}-{n}");
    }
    used.push(candidate.clone());
    candidate
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(dest: &str) -> Link {
        Link::To(dest.to_owned())
    }

    #[test]
    fn headings_get_github_anchors_and_an_outline() {
        let (html, outline, _) = render(
            "## What it does\n\n## Why is this bad?\n\n## Why is this bad?\n",
            &keep,
        );
        assert!(html.contains(r#"<h2 id="what-it-does">"#), "{html}");
        assert!(html.contains(r#"<h2 id="why-is-this-bad">"#), "{html}");
        assert!(html.contains(r#"<h2 id="why-is-this-bad-1">"#), "{html}");
        assert_eq!(
            outline[0],
            (2, "what-it-does".to_owned(), "What it does".to_owned())
        );
    }

    #[test]
    fn links_are_rewritten_or_reduced_to_text() {
        let rewrite = |dest: &str| match dest {
            "docs/facts.md" => Link::To("facts/".to_owned()),
            _ => Link::Text,
        };
        let (html, _, _) = render(
            "[facts](docs/facts.md) and [file](examples/x.yaml)",
            &rewrite,
        );
        assert!(html.contains(r#"<a href="facts/">facts</a>"#), "{html}");
        assert!(html.contains(" and file"), "{html}");
        assert!(!html.contains("examples/x.yaml"), "{html}");
    }

    #[test]
    fn raw_html_is_escaped_and_tables_render() {
        let (html, _, text) = render(
            "<script>x</script>\n\n| a | b |\n| - | - |\n| 1 | `2` |\n",
            &keep,
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(text.contains('2'));
    }

    #[test]
    fn slugs_follow_github() {
        assert_eq!(
            slug("Options of `check` (and `facts`)"),
            "options-of-check-and-facts"
        );
        assert_eq!(slug("`ses.live`"), "seslive");
    }
}
