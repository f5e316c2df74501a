//! The one HTML policy for mail shown on our pages: ammonia's allow-list, without scripts, forms, styles, handlers or anything that loads from elsewhere.
//!
//! An allow-list of text and table elements; attributes only `title`, `lang`, `dir`, and
//! per element `href` (links), `alt`/`width`/`height` (images, whose `src` is never kept, so
//! nothing loads from elsewhere, not even a tracking pixel), `colspan`/`rowspan`/`align`
//! (cells). Links only to `http`, `https` and `mailto` URLs, never relative ones (they
//! would point into our site), with `rel="nofollow noopener noreferrer"`. The content of
//! `script`, `style` and `title` elements is removed with them; other unknown elements are
//! removed and their text kept.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use ammonia::{Builder, UrlRelative};

/// The elements kept.
pub const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// The elements removed with everything inside them.
pub const REMOVED_WITH_CONTENT: &[&str] = &["script", "style", "title"];

/// The URL schemes a link may have.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// The `rel` of every link.
pub const LINK_REL: &str = "nofollow noopener noreferrer";

/// The policy, built once.
fn policy() -> &'static Builder<'static> {
    static POLICY: OnceLock<Builder<'static>> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut builder = Builder::empty();
        let attributes: HashMap<&str, HashSet<&str>> = [
            ("a", ["href"].as_slice()),
            ("img", ["alt", "width", "height"].as_slice()),
            ("td", ["colspan", "rowspan", "align"].as_slice()),
            ("th", ["colspan", "rowspan", "align"].as_slice()),
            ("ol", ["start"].as_slice()),
        ]
        .into_iter()
        .map(|(tag, attrs)| (tag, attrs.iter().copied().collect()))
        .collect();
        builder
            .tags(ALLOWED_TAGS.iter().copied().collect())
            .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
            .generic_attributes(["title", "lang", "dir"].into_iter().collect())
            .tag_attributes(attributes)
            .url_schemes(ALLOWED_SCHEMES.iter().copied().collect())
            .url_relative(UrlRelative::Deny)
            .link_rel(Some(LINK_REL))
            .strip_comments(true);
        builder
    })
}

/// `html` made safe to show inside our pages.
pub fn sanitize(html: &str) -> String {
    policy().clean(html).to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Hostile HTML: each must come out without script, handler or remote load.
    pub(crate) const XSS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"http://tracker.example/pixel.gif\" alt=\"pixel\">",
        "<img srcset=\"http://evil.example/a.png 1x\">",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
        "<a href=\"  javascript:alert(1)\">click</a>",
        "<a href=\"java&#x09;script:alert(1)\">click</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<svg><script>alert(1)</script></svg>",
        "<svg onload=alert(1)><circle r=5></circle></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<style>body{background:url(http://evil.example/x)}</style>",
        "<p style=\"background:url(http://evil.example/x)\">styled</p>",
        "<div style=\"behavior:url(x.htc)\">x</div>",
        "<form action=\"http://evil.example/\"><input name=p type=password></form>",
        "<iframe src=\"http://evil.example/\"></iframe>",
        "<object data=\"http://evil.example/x.swf\"></object>",
        "<embed src=\"http://evil.example/x.swf\">",
        "<base href=\"http://evil.example/\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\">",
        "<link rel=stylesheet href=\"http://evil.example/x.css\">",
        "<table background=\"http://evil.example/bg.png\"><tr><td background=\"http://evil.example/bg.png\">x</td></tr></table>",
        "<body onload=alert(1)>text</body>",
        "<video poster=\"http://evil.example/p.png\" src=\"http://evil.example/v.mp4\"></video>",
        "<audio src=\"http://evil.example/a.mp3\"></audio>",
        "<a href=\"/relative/into/our/site\">rel</a>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<!--<img src=x onerror=alert(1)>-->",
        "<p id=\"x\" class=\"y\" onclick=\"alert(1)\" onmouseover=alert(1)>p</p>",
        "<<script>script>alert(1)<</script>/script>",
    ];

    /// Panics if `out` holds anything that runs or loads.
    pub(crate) fn assert_harmless(input: &str, out: &str) {
        let lower = out.to_ascii_lowercase();
        for bad in [
            "<script",
            "<style",
            "<svg",
            "<math",
            "<form",
            "<input",
            "<iframe",
            "<object",
            "<embed",
            "<base",
            "<meta",
            "<link",
            "<video",
            "<audio",
            "<body",
            "javascript:",
            "vbscript:",
            "data:",
            "url(",
            "src=",
            "srcset=",
            "background=",
            "poster=",
            "style=",
            "href=\"/",
            "<noscript",
        ] {
            assert!(!lower.contains(bad), "{bad:?} in {out:?} (from {input:?})");
        }
        // No event handler attribute: ` on…=` inside a tag.
        let mut in_tag = false;
        for (i, b) in lower.bytes().enumerate() {
            match b {
                b'<' => in_tag = true,
                b'>' => in_tag = false,
                b' ' | b'\t' | b'\n' | b'/' if in_tag => {
                    assert!(
                        !lower[i + 1..].starts_with("on"),
                        "handler in {out:?} (from {input:?})"
                    );
                }
                _ => {}
            }
        }
    }

    #[test]
    fn the_xss_corpus_comes_out_harmless() {
        for input in XSS {
            assert_harmless(input, &sanitize(input));
        }
    }

    #[test]
    fn ordinary_mail_html_keeps_its_text_and_safe_links() {
        let out = sanitize(
            "<html><head><title>T</title></head><body><p>Hello <b>there</b></p>\
             <a href=\"https://example.org/x?a=1&b=2\">site</a> \
             <a href=\"mailto:a@example.org\">mail</a>\
             <table><tr><td colspan=\"2\">cell</td></tr></table></body></html>",
        );
        assert!(out.contains("<p>Hello <b>there</b></p>"), "{out}");
        assert!(
            out.contains(
                "<a href=\"https://example.org/x?a=1&amp;b=2\" rel=\"nofollow noopener noreferrer\">site</a>"
            ),
            "{out}"
        );
        assert!(out.contains("href=\"mailto:a@example.org\""), "{out}");
        assert!(out.contains("<td colspan=\"2\">cell</td>"), "{out}");
        assert!(!out.contains(">T<") && !out.starts_with('T'), "{out}");
    }

    #[test]
    fn remote_images_lose_their_source_but_keep_their_alt_text() {
        let out = sanitize("<img src=\"http://tracker.example/p.gif\" alt=\"logo\" width=\"10\">");
        assert_eq!(out, "<img alt=\"logo\" width=\"10\">");
    }
}
