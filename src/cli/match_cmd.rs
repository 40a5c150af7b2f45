//! `bts-doctor match`: paste an error, get the fix.

use super::{print, print_json, text, with_matcher, GlobalArgs};
use crate::exit;
use crate::report::{json, redact};
use clap::Args;
use std::io::{IsTerminal, Read};

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
        let report = matcher.match_text(&query);
        let top = usize::from(args.top);
        if args.json {
            print_json(&json::match_document(matcher, &query, &report, top));
        } else {
            print(&redact::secrets(&text::match_report(matcher, &report, top)));
        }
        if report.best_confident().is_some() {
            exit::OK
        } else {
            exit::FOUND
        }
    })
}

/// The text from the arguments, or from standard input for `-` or no argument.
fn read_query(words: &[String]) -> Result<String, String> {
    let from_stdin = words.is_empty() || (words.len() == 1 && words[0] == "-");
    let text = if from_stdin {
        if words.is_empty() && std::io::stdin().is_terminal() {
            return Err("give the error text as an argument, or pipe it in (use `-` to read standard input)".into());
        }
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("cannot read standard input: {e}"))?;
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
