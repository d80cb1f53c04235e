//! Fuzzes the resolver and extraction on whatever tree the loaders build: the first byte picks
//! the format and the stack environment, the rest is the template.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sandtrap::cloudformation::resolve::{Resolver, StackEnv};
use sandtrap::load::{self, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (text, _) = load::decode(rest);
    let format = if selector & 1 == 0 {
        Format::Yaml
    } else {
        Format::Json
    };
    let Some(document) = load::load(&text, format).document else {
        return;
    };
    let mut env = StackEnv::default();
    if selector & 2 != 0 {
        env.account = Some("123456789012".to_owned());
        env.region = Some("eu-west-1".to_owned());
        env.stack_name = Some("Fuzzed".to_owned());
    }
    if selector & 4 != 0 {
        env.parameters
            .insert("Domain".to_owned(), "example.com".to_owned());
        env.parameters.insert("Env".to_owned(), "prod".to_owned());
    }
    let resolver = Resolver::new(&document, &env);
    let _ = resolver.resolve(&document.root);
    let _ = resolver.exports();
    let notes = std::collections::HashMap::new();
    let template = sandtrap::cloudformation::extract::Template {
        file: "fuzzed.yaml",
        text: &text,
        notes: &notes,
    };
    let _ = sandtrap::cloudformation::extract(&document, template, &resolver);
});
