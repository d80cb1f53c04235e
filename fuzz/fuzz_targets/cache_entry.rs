//! Fuzzes the analysis cache's reader (`src/check/store.rs`) and what a run does with the
//! entries it accepts. The first byte chooses: even, the rest is a whole cache file (magic,
//! header, signed index, entries each signed); odd, the rest is XORed over the entries of a real
//! cache file (written once by a run over a small project), which are then read one after
//! another without any signature, so that mutations reach the entry decoder and, when they
//! decode, the merge, the join, the rules and the positions of the diagnostics.
#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sandtrap::check::{self, CacheDir, CheckOptions};

const POOL: &str = "Metadata: {sandtrap: {region: us-west-2}}
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      AutoVerifiedAttributes: [email] # sandtrap: ignore[ST103]
      EmailConfiguration:
        EmailSendingAccount: DEVELOPER
        From: no-reply@example.com
        SourceArn: !Sub arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com
        ConfigurationSet: !ImportValue Sets
";

const IDENTITY: &str = "Metadata: {sandtrap: {region: us-west-2}}
Resources:
  Identity:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: example.com
Outputs:
  Sets:
    Value: mail
    Export: {Name: Sets}
";

/// The payload of a cache file a run wrote for a small project.
fn sample() -> Option<&'static Vec<u8>> {
    static PAYLOAD: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    PAYLOAD
        .get_or_init(|| {
            let dir: PathBuf = tempfile::tempdir().ok()?.keep();
            fs::write(dir.join("pool.yaml"), POOL).ok()?;
            fs::write(dir.join("identity.yaml"), IDENTITY).ok()?;
            let cache = dir.join("cache");
            let options = CheckOptions {
                paths: vec![dir.clone()],
                cwd: dir.clone(),
                cache: CacheDir::At(cache.clone()),
                ..CheckOptions::default()
            };
            check::run(&options).ok()?;
            let file = fs::read_dir(&cache)
                .ok()?
                .filter_map(Result::ok)
                .find(|e| e.file_name().to_string_lossy().starts_with("analyses-"))?;
            let bytes = fs::read(file.path()).ok()?;
            check::fuzz_cache_payload(&bytes).map(<[u8]>::to_vec)
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        check::fuzz_cache(rest, true);
        return;
    }
    let Some(sample) = sample() else {
        return;
    };
    let mut payload = sample.clone();
    // Pairs of (position, mask): a few flipped bytes anywhere in the entries; the tail of an
    // odd-length input is appended (a longer payload).
    let mut pairs = rest.chunks_exact(3);
    for pair in &mut pairs {
        let at = usize::from(u16::from_le_bytes([pair[0], pair[1]]));
        if !payload.is_empty() {
            let len = payload.len();
            payload[at % len] ^= pair[2];
        }
    }
    payload.extend_from_slice(pairs.remainder());
    check::fuzz_cache(&payload, false);
});
