//! HTML as one self-contained file: inline styles, no scripts, no external reference, readable
//! without colour and printable.

use super::blocks::Block;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#111}\
h1{border-bottom:2px solid #333;padding-bottom:.3rem}h2{border-bottom:1px solid #999;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #888;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#eee}pre{background:#f4f4f4;border:1px solid #bbb;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:bold}dd{margin:0}\
@media print{body{margin:0;max-width:none}pre,table{page-break-inside:avoid}h2{page-break-after:avoid}}";

/// Renders blocks as a complete HTML document titled `title`.
pub fn render(title: &str, blocks: &[Block]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, text) => out.push_str(&format!("<h{level}>{}</h{level}>\n", escape(text))),
            Block::Para(text) => out.push_str(&format!("<p>{}</p>\n", escape(text))),
            Block::Facts(rows) => {
                out.push_str("<dl>\n");
                for (label, value) in rows {
                    out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", escape(label), escape(value)));
                }
                out.push_str("</dl>\n");
            }
            Block::Table(header, rows) => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    out.push_str(&format!("<th>{}</th>", escape(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for c in row {
                        out.push_str(&format!("<td>{}</td>", escape(c)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Code(lines) => {
                if !lines.is_empty() {
                    out.push_str(&format!("<pre>{}</pre>\n", escape(&lines.join("\n"))));
                }
            }
            Block::List(items) | Block::Numbered(items) => {
                let tag = if matches!(block, Block::Numbered(_)) { "ol" } else { "ul" };
                out.push_str(&format!("<{tag}>\n"));
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", escape(item)));
                }
                out.push_str(&format!("</{tag}>\n"));
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Text as HTML: the five markup characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
