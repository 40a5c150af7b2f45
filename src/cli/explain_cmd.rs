//! `bts-doctor explain CODE`: one code explained from the catalogues, offline.

use super::{print, print_json, text, GlobalArgs};
use crate::exit;
use clap::Args;
use serde::Serialize;

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code: 0x80070422, 80070422, -2147023838, ENTSSO 10536, MSI 1722, SQL 18456 [state 8],
    /// a bare number, or a symbolic name such as ERROR_SERVICE_DISABLED.
    #[arg(value_name = "CODE", required = true, num_args = 1.., allow_hyphen_values = true)]
    pub code: Vec<String>,
    /// Print JSON (schema 1) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `explain --json`: the code as typed and every catalogue row it names.
#[derive(Debug, Serialize)]
struct ExplainDocument {
    schema: u32,
    query: String,
    codes: Vec<crate::matcher::codes::CodeInfo>,
}

/// Runs `explain`; exit 0 when a catalogue holds the code, 1 when none does, 2 when the text is
/// not a code at all.
pub fn run(global: &GlobalArgs, args: ExplainArgs) -> u8 {
    let query = args.code.join(" ");
    super::with_matcher(global, &[], |matcher| {
        let codes = match crate::matcher::codes::explain(matcher.kb().catalogues(), &query) {
            Ok(codes) => codes,
            Err(e) => {
                eprintln!("bts-doctor explain: {e}");
                return exit::USAGE;
            }
        };
        let code = if codes.is_empty() { exit::FOUND } else { exit::OK };
        if args.json {
            print_json(&ExplainDocument { schema: crate::JSON_SCHEMA, query, codes });
        } else if codes.is_empty() {
            print(&format!(
                "{query}: not in the catalogues ({} codes from {} catalogues). Paste the whole error into `bts-doctor match` instead.\n",
                matcher.kb().catalogues().rows(),
                matcher.kb().catalogues().all().len()
            ));
        } else {
            let mut out = String::new();
            for c in &codes {
                text::explain_block(&mut out, c);
            }
            print(&out);
        }
        code
    })
}
