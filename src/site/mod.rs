//! The documentation site: a page per rule (its five sections, generated from the rule files),
//! the guides (usage, configuration, custom rules and the facts schema, integrations, the
//! language server) from the repository's Markdown, and a client-side search, as static HTML
//! with no external asset. `sandtrap debug site DIR` writes it; the release publishes it at
//! [`DOCS_URL`], where every diagnostic's `url` points.

pub mod markdown;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use markdown::{Link, Outline, escape};

use crate::rules::{Catalog, Rule, RuleSource};

/// Where the site is published: the GitHub Pages address of [`REPOSITORY_URL`]
/// (`.github/workflows/pages.yml` publishes it there), or `SANDTRAP_DOCS_URL` at build time for
/// a build that publishes it elsewhere. Every rule's URL is this plus `rules/CODE`.
pub const DOCS_URL: &str = env!("SANDTRAP_DOCS_URL");

/// The project's repository: Cargo.toml's `repository`, the one place the address is written.
pub const REPOSITORY_URL: &str = env!("CARGO_PKG_REPOSITORY");

const STYLE: &str = include_str!("assets/style.css");
const SEARCH: &str = include_str!("assets/search.js");

/// A guide: a page made of a Markdown file of the repository, or of some `##` sections of it.
struct Guide {
    /// The page's folder (`configuration`), its URL below the site root.
    slug: &'static str,
    title: &'static str,
    source: &'static str,
    /// `##` headings to keep (with what follows up to the next `##`); empty: the whole file.
    sections: &'static [&'static str],
}

const GUIDES: &[Guide] = &[
    Guide {
        slug: "usage",
        title: "Install and use",
        source: "README.md",
        sections: &["Install", "Usage"],
    },
    Guide {
        slug: "configuration",
        title: "Configuration and suppressions",
        source: "README.md",
        sections: &["Configuration", "Suppressing a finding"],
    },
    Guide {
        slug: "configuration-reference",
        title: "Configuration reference",
        source: "docs/configuration.md",
        sections: &[],
    },
    Guide {
        slug: "terraform",
        title: "Terraform and OpenTofu",
        source: "docs/terraform.md",
        sections: &[],
    },
    Guide {
        slug: "integrations",
        title: "pre-commit, CI and editors",
        source: "docs/integrations.md",
        sections: &[],
    },
    Guide {
        slug: "lsp",
        title: "The language server",
        source: "docs/lsp.md",
        sections: &[],
    },
    Guide {
        slug: "custom-rules",
        title: "Writing rules",
        source: "rules/README.md",
        sections: &[],
    },
    Guide {
        slug: "facts",
        title: "The facts document",
        source: "docs/facts.md",
        sections: &[],
    },
];

/// Why the site could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` has no `## {heading}` section")]
    MissingSection { path: PathBuf, heading: String },
}

/// The built site: file paths below the site root (`rules/ST101/index.html`) and their contents.
#[derive(Debug, Default)]
pub struct Site {
    pub files: BTreeMap<String, String>,
}

impl Site {
    /// Writes every file below `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        for (path, text) in &self.files {
            let target = dir.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(target, text)?;
        }
        Ok(())
    }

    /// The file a published URL is served from (`DOCS_URL` + `rules/ST101` →
    /// `rules/ST101/index.html`), when the site has it.
    pub fn page_for_url(&self, url: &str) -> Option<&str> {
        let path = url.strip_prefix(DOCS_URL)?;
        let path = path.split(['#', '?']).next().unwrap_or_default();
        let candidates = if path.is_empty() || path.ends_with('/') {
            vec![format!("{path}index.html")]
        } else {
            vec![format!("{path}/index.html"), path.to_owned()]
        };
        candidates
            .into_iter()
            .find_map(|c| self.files.get_key_value(&c).map(|(k, _)| k.as_str()))
    }
}

/// One page of the search index.
struct Entry {
    title: String,
    url: String,
    text: String,
}

/// Builds the site from the built-in rules of `catalog` and the Markdown under `root` (a
/// checkout of the repository).
pub fn build(catalog: &Catalog, root: &Path) -> Result<Site, SiteError> {
    let mut site = Site::default();
    let mut index = Vec::new();
    let rules: Vec<&Rule> = catalog
        .iter()
        .filter(|r| r.source == RuleSource::Builtin)
        .collect();

    let nav = Nav::new(&rules);
    // The settings files' schemas, for editors (`yaml-language-server`): the same JSON as
    // `docs/schemas/`, made from the types sandtrap reads the files with.
    for (path, schema) in [
        ("schemas/config.json", crate::config::schema()),
        ("schemas/rule.json", crate::rules::schema()),
    ] {
        let text = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
        site.files.insert(path.to_owned(), text);
    }
    for guide in GUIDES {
        let path = root.join(guide.source);
        let text = crate::input::read_regular_string(&path).map_err(|source| SiteError::Read {
            path: path.clone(),
            source,
        })?;
        let markdown = if guide.sections.is_empty() {
            text
        } else {
            select_sections(&text, guide.sections).map_err(|heading| SiteError::MissingSection {
                path: path.clone(),
                heading,
            })?
        };
        let page = format!("{}/index.html", guide.slug);
        let (body, outline, plain) =
            markdown::render(&markdown, &|dest| link(dest, guide.source, &page));
        let body = format!("{}{body}", toc(&outline));
        site.files
            .insert(page.clone(), nav.page(&page, guide.title, &body));
        index.push(Entry {
            title: guide.title.to_owned(),
            url: page,
            text: plain,
        });
    }

    for rule in &rules {
        let page = format!("rules/{}/index.html", rule.code);
        let (body, plain) = rule_page(rule, &page);
        let title = format!("{} {}", rule.code, rule.name);
        site.files
            .insert(page.clone(), nav.page(&page, &title, &body));
        index.push(Entry {
            title,
            url: page,
            text: format!("{} {plain}", rule.summary),
        });
    }

    let table = rule_table(&rules, "index.html");
    site.files.insert(
        "rules/index.html".to_owned(),
        nav.page(
            "rules/index.html",
            "Rules",
            &format!("<h1>Rules</h1>{}", rule_table(&rules, "rules/index.html")),
        ),
    );
    index.push(Entry {
        title: "Rules".to_owned(),
        url: "rules/index.html".to_owned(),
        text: rules
            .iter()
            .map(|r| format!("{} {} {}", r.code, r.name, r.summary))
            .collect::<Vec<_>>()
            .join(" "),
    });
    site.files.insert(
        "index.html".to_owned(),
        nav.page("index.html", "sandtrap", &home(&table)),
    );

    site.files.insert("style.css".to_owned(), STYLE.to_owned());
    site.files.insert("search.js".to_owned(), SEARCH.to_owned());
    site.files
        .insert("search-index.js".to_owned(), search_index(&index));
    Ok(site)
}

/// The `##` sections of `text` named in `wanted`, in the order given; the heading that is
/// missing otherwise.
fn select_sections(text: &str, wanted: &[&str]) -> Result<String, String> {
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut fence = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.trim_start().starts_with("```") {
            fence = !fence;
        }
        if !fence && let Some(heading) = trimmed.strip_prefix("## ") {
            sections.push((heading.trim().to_owned(), String::new()));
        }
        if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
        }
    }
    let mut out = String::new();
    for heading in wanted {
        let (_, body) = sections
            .iter()
            .find(|(name, _)| name == heading)
            .ok_or_else(|| (*heading).to_owned())?;
        out.push_str(body);
        out.push('\n');
    }
    Ok(out)
}

/// Where a link of a Markdown file of the repository goes on the site: another guide, a rule's
/// page, an outside address, or nowhere (a repository file the site does not publish keeps its
/// text only, so the site has no dead link).
fn link(dest: &str, source: &str, page: &str) -> Link {
    if dest.starts_with("http://") || dest.starts_with("https://") || dest.starts_with("mailto:") {
        return Link::To(dest.to_owned());
    }
    if dest.starts_with('#') {
        return Link::To(dest.to_owned());
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    };
    let base = Path::new(source).parent().unwrap_or(Path::new(""));
    let Some(target) = normalize(&base.join(path)) else {
        return Link::Text;
    };
    let target_page = GUIDES
        .iter()
        .find(|g| g.source == target && (g.sections.is_empty() || fragment.is_none()))
        .map(|g| format!("{}/index.html", g.slug))
        .or_else(|| (target == "README.md").then(|| "index.html".to_owned()))
        .or_else(|| {
            let code = target.strip_prefix("rules/")?.strip_suffix(".yaml")?;
            Some(format!("rules/{code}/index.html"))
        });
    match target_page {
        Some(target_page) => {
            let mut href = relative(page, &target_page);
            if let Some(fragment) = fragment {
                let _ = write!(href, "#{fragment}");
            }
            Link::To(href)
        }
        None => Link::Text,
    }
}

/// `a/./b/../c` → `a/c`, as a `/`-separated string; `None` when it climbs above the root.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// The href from page `from` to page `to`, both below the site root.
fn relative(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    format!("{}{to}", "../".repeat(depth))
}

/// The page of one rule: severity, how to turn it off, its documentation; and its plain text.
fn rule_page(rule: &Rule, page: &str) -> (String, String) {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1><code>{code}</code> {name}</h1>\n<p class=\"summary\">{summary}</p>\n\
         <p class=\"meta\">Default severity: <span class=\"severity {severity}\">{severity}</span> · \
         turn it off with <code>ignore: [{code}]</code> in <code>.sandtrap.yaml</code>, \
         <code>--ignore {code}</code>, or a <code># sandtrap: ignore[{code}] reason</code> comment</p>\n",
        code = escape(&rule.code),
        name = escape(&rule.name),
        summary = escape(&rule.summary),
        severity = rule.severity,
    );
    let (html, outline, plain) = markdown::render(&rule.docs, &|dest| {
        link(dest, &format!("rules/{}.yaml", rule.code), page)
    });
    body.push_str(&toc(&outline));
    body.push_str(&html);
    (body, plain)
}

/// A table of contents of a page's `##` headings.
fn toc(outline: &Outline) -> String {
    let entries: Vec<String> = outline
        .iter()
        .filter(|(level, _, _)| *level == 2)
        .map(|(_, id, title)| format!("<li><a href=\"#{}\">{}</a></li>", escape(id), escape(title)))
        .collect();
    if entries.len() < 2 {
        return String::new();
    }
    format!(
        "<nav class=\"toc\" aria-label=\"On this page\"><ul>{}</ul></nav>\n",
        entries.concat()
    )
}

/// The catalog as a table, each code linking to its page.
fn rule_table(rules: &[&Rule], page: &str) -> String {
    let mut out = String::from(
        "<table class=\"rules\"><thead><tr><th>code</th><th>name</th><th>default</th><th>what it finds</th></tr></thead><tbody>\n",
    );
    for rule in rules {
        let href = relative(page, &format!("rules/{}/index.html", rule.code));
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{href}\"><code>{code}</code></a></td><td>{name}</td><td><span class=\"severity {severity}\">{severity}</span></td><td>{summary}</td></tr>",
            code = escape(&rule.code),
            name = escape(&rule.name),
            severity = rule.severity,
            summary = escape(&rule.summary),
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The home page.
fn home(table: &str) -> String {
    format!(
        "<h1>sandtrap</h1>\n<p class=\"summary\">Finds Amazon Cognito user pools whose email through \
         Amazon SES will fail, before they deploy: a pool mailing through SES in a region still in \
         the sandbox, a <code>SourceArn</code> in a region the pool cannot use, an identity declared \
         in another region or created with the pool, a <code>From</code> the identity does not \
         cover. It reads CloudFormation templates and CDK cloud assemblies.</p>\n\
         <ul class=\"guides\">{guides}</ul>\n<h2 id=\"rules\">Rules</h2>\n{table}",
        guides = GUIDES
            .iter()
            .map(|g| format!(
                "<li><a href=\"{}/index.html\">{}</a></li>",
                g.slug,
                escape(g.title)
            ))
            .collect::<String>(),
    )
}

/// The search index: a script assigning the entries, so the search works from `file://` too
/// (no fetch).
fn search_index(entries: &[Entry]) -> String {
    #[derive(serde::Serialize)]
    struct Item<'a> {
        title: &'a str,
        url: &'a str,
        text: &'a str,
    }
    let items: Vec<Item<'_>> = entries
        .iter()
        .map(|e| Item {
            title: &e.title,
            url: &e.url,
            text: &e.text,
        })
        .collect();
    let json = serde_json::to_string(&items).unwrap_or_else(|_| "[]".to_owned());
    // `</script>` inside a string cannot end a script loaded from a file, but `<` is escaped
    // anyway so the index could be inlined.
    format!(
        "window.SANDTRAP_SEARCH = {};\n",
        json.replace('<', "\\u003c")
    )
}

/// The frame every page shares: header with navigation and search, footer.
struct Nav {
    links: Vec<(String, String)>,
}

impl Nav {
    fn new(rules: &[&Rule]) -> Self {
        let mut links = vec![("index.html".to_owned(), "Home".to_owned())];
        links.push((
            "rules/index.html".to_owned(),
            format!("Rules ({})", rules.len()),
        ));
        links.extend(
            GUIDES
                .iter()
                .map(|g| (format!("{}/index.html", g.slug), g.title.to_owned())),
        );
        Self { links }
    }

    fn page(&self, page: &str, title: &str, body: &str) -> String {
        let root = "../".repeat(page.matches('/').count());
        let nav: String = self
            .links
            .iter()
            .map(|(href, text)| {
                let current = if href == page {
                    " aria-current=\"page\""
                } else {
                    ""
                };
                format!("<a href=\"{root}{href}\"{current}>{}</a>", escape(text))
            })
            .collect();
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title} · sandtrap</title>\n<link rel=\"stylesheet\" href=\"{root}style.css\">\n\
             </head>\n<body data-root=\"{root}\">\n<header>\n<nav class=\"site\">{nav}</nav>\n\
             <div class=\"search\"><input id=\"search\" type=\"search\" placeholder=\"Search the documentation\" \
             aria-label=\"Search the documentation\" autocomplete=\"off\">\
             <ol id=\"search-results\" hidden></ol></div>\n</header>\n<main>\n{body}</main>\n\
             <footer>sandtrap {version}</footer>\n<script src=\"{root}search-index.js\"></script>\n\
             <script src=\"{root}search.js\"></script>\n</body>\n</html>\n",
            title = escape(title),
            version = env!("CARGO_PKG_VERSION"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_between_repository_files_become_page_links() {
        let to = |dest, source, page| match link(dest, source, page) {
            Link::To(href) => Some(href),
            Link::Text => None,
        };
        assert_eq!(
            to("docs/integrations.md", "README.md", "usage/index.html").as_deref(),
            Some("../integrations/index.html")
        );
        assert_eq!(
            to(
                "../rules/README.md#cases",
                "docs/facts.md",
                "facts/index.html"
            )
            .as_deref(),
            Some("../custom-rules/index.html#cases")
        );
        assert_eq!(
            to("examples/sandtrap.yaml", "README.md", "usage/index.html"),
            None
        );
        assert_eq!(
            to("../../etc/passwd", "README.md", "usage/index.html"),
            None
        );
        assert_eq!(
            to(
                "https://docs.aws.amazon.com/ses/",
                "rules/ST101.yaml",
                "rules/ST101/index.html"
            )
            .as_deref(),
            Some("https://docs.aws.amazon.com/ses/")
        );
    }

    #[test]
    fn sections_are_selected_in_order_and_fences_are_not_headings() {
        let text = "# T\n## A\na\n```\n## not a heading\n```\n## B\nb\n## C\nc\n";
        let out = select_sections(text, &["C", "A"]).unwrap();
        assert!(out.starts_with("## C\nc\n"), "{out}");
        assert!(out.contains("## not a heading"), "{out}");
        assert!(!out.contains("## B"), "{out}");
        assert_eq!(select_sections(text, &["D"]), Err("D".to_owned()));
    }

    #[test]
    fn published_urls_map_to_files() {
        let mut site = Site::default();
        site.files.insert("index.html".into(), String::new());
        site.files
            .insert("rules/ST101/index.html".into(), String::new());
        assert_eq!(site.page_for_url(DOCS_URL), Some("index.html"));
        assert_eq!(
            site.page_for_url(&format!("{DOCS_URL}rules/ST101")),
            Some("rules/ST101/index.html")
        );
        assert_eq!(site.page_for_url(&format!("{DOCS_URL}rules/ST999")), None);
        assert_eq!(
            site.page_for_url("https://elsewhere.example/rules/ST101"),
            None
        );
    }
}
