//! `cargo run --release --example corpus_report [-- --failures]`: the matcher against the corpus of
//! real error texts (tests/corpus): top-1, top-3, area accuracy and confident false positives,
//! per class; with `--failures`, every miss with what answered instead.

#[path = "../tests/support/corpus.rs"]
mod corpus;

fn main() {
    let kb = bts_doctor::kb::KnowledgeBase::embedded().expect("the embedded knowledge loads");
    let matcher = bts_doctor::matcher::Matcher::new(kb).expect("the knowledge compiles");
    let outcomes = corpus::run(&matcher);
    println!("corpus: {} texts", outcomes.len());
    for (label, right, of) in corpus::figures(&outcomes) {
        println!("  {label:32} {right:4} / {of:4}  {:5.1}%", corpus::pct(right, of));
    }
    println!("top-1 by class:");
    for (class, right, of) in corpus::by_class(&outcomes) {
        println!("  {class:14} {right:4} / {of:4}  {:5.1}%", corpus::pct(right, of));
    }
    if std::env::args().any(|a| a == "--failures") {
        for o in outcomes.iter().filter(|o| !o.top1) {
            let expect = match &o.item.expect {
                corpus::Expect::Nothing(_) => "none".to_string(),
                corpus::Expect::Some(m) => m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
            };
            let text: String = o.item.text.chars().take(110).collect::<String>().replace('\n', " ");
            let verdict = if o.false_positive {
                " FALSE-POSITIVE"
            } else if o.confident_wrong {
                " WRONG"
            } else {
                ""
            };
            println!(
                "{}{verdict} [{}] want {expect} got {} top3 {:?}\n    {text}",
                o.item.id,
                o.item.class,
                o.answer.as_deref().unwrap_or("-"),
                o.top3
            );
        }
    }
}
