//! `bts-doctor match`: paste an error, get the fix.

use super::{print, print_json, text, with_matcher, GlobalArgs};
use crate::exit;
use crate::report::{json, redact};
use clap::Args;
use std::io::IsTerminal;

/// Arguments of `match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The error text; `-` or nothing reads standard input. Several words are joined by spaces.
    #[arg(value_name = "TEXT|-")]
    pub text: Vec<String>,
    /// Print JSON (schema 1) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show at most N matches.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub top: u16,
}

/// Runs `match`; exit 0 when a medium-or-high match exists, 1 when none, 2 on bad input.
pub fn run(global: &GlobalArgs, args: MatchArgs) -> u8 {
    let query = match read_query(&args.text) {
        Ok(q) => q,
        Err(message) => {
            eprintln!("bts-doctor match: {message}");
            return exit::USAGE;
        }
    };
    with_matcher(global, &[], |matcher| {
        let mut report = matcher.match_text(&query);
        let top = usize::from(args.top);
        let code = if report.best_confident().is_some() { exit::OK } else { exit::FOUND };
        if args.json {
            // The document takes the text over and the cleaned copy is not in it: memory stays
            // a small multiple of the text however long the paste.
            report.clean = String::new();
            print_json(&json::match_document(matcher, query, &report, top));
        } else {
            print(&redact::secrets(&text::match_report(matcher, &report, top)));
        }
        code
    })
}

/// The text from the arguments, or from standard input for `-` or no argument.
fn read_query(words: &[String]) -> Result<String, String> {
    let from_stdin = words.is_empty() || (words.len() == 1 && words[0] == "-");
    let text = if from_stdin {
        if words.is_empty() && std::io::stdin().is_terminal() {
            return Err("give the error text as an argument, or pipe it in (use `-` to read standard input)".into());
        }
        let bytes = crate::input::read_bounded(std::io::stdin().lock(), crate::input::PASTE_LIMIT, "standard input")
            .map_err(|e| match e {
                crate::input::InputError::TooLarge { .. } => format!(
                    "the text is larger than {}; nothing was matched (for a whole log, use `bts-doctor scan FILE`)",
                    crate::input::size_words(crate::input::PASTE_LIMIT)
                ),
                other => other.to_string(),
            })?;
        decode_stdin(&bytes)
    } else {
        words.join(" ")
    };
    if text.trim().is_empty() {
        return Err("the text is empty; paste the error message to match".into());
    }
    Ok(text)
}

/// Standard input as text: UTF-8 (BOM dropped) or UTF-16 with a BOM, as Windows tools write it;
/// invalid sequences become U+FFFD rather than an error (encoding_rs's BOM-sniffing decode).
fn decode_stdin(bytes: &[u8]) -> String {
    encoding_rs::UTF_8.decode(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::decode_stdin;

    #[test]
    fn stdin_decodes_boms_and_survives_bad_bytes() {
        assert_eq!(decode_stdin(b"\xEF\xBB\xBFabc"), "abc");
        assert_eq!(decode_stdin(&[0xFF, 0xFE, b'h', 0, b'i', 0, b'!']), "hi\u{FFFD}");
        assert_eq!(decode_stdin(&[0xFE, 0xFF, 0, b'o', 0, b'k']), "ok");
        assert_eq!(decode_stdin(b"a\xFFb"), "a\u{FFFD}b");
    }
}
