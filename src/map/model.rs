//! What a map is made of: accounts holding regions, regions holding sender and identity nodes,
//! edges between them, and the totals; with the titles the drawings give them.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::join::live::AccountState;

/// How to draw the map.
#[derive(Clone, Copy, Debug, Default)]
pub struct MapOptions {
    /// Draw every sender even in a large run.
    pub expand: bool,
}

/// The picture of one run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Map {
    pub version: u32,
    /// By account (known accounts sorted, the unknown one last).
    pub accounts: Vec<AccountGroup>,
    pub edges: Vec<Edge>,
    /// What was left out of the picture to keep it readable, in words.
    pub collapsed: Vec<String>,
    pub totals: Totals,
    /// Every stack of the run with its environment (the reports group findings by it).
    pub stacks: Vec<MapStack>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MapStack {
    pub name: String,
    pub file: String,
    pub account: Option<String>,
    pub region: Option<String>,
}

/// What the picture holds, in numbers (the headline of the reports).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Totals {
    pub senders: usize,
    pub identities: usize,
    pub regions: usize,
    /// The (account, region) places still in the SES sandbox, or whose state is unknown, where a
    /// sender mails through SES: where production access is needed.
    pub needs_production: Vec<Place>,
}

/// An SES account and region that needs production access, with the command that requests it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Place {
    pub account: Option<String>,
    pub region: String,
    /// `sandbox` or `unknown`.
    pub state: String,
    pub senders: usize,
}

impl Place {
    /// The flag that records production access here once it is granted.
    pub fn production_flag(&self) -> String {
        match &self.account {
            Some(account) => format!("--ses-production {account}:{}", self.region),
            None => format!("--ses-production {}", self.region),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AccountGroup {
    /// Mermaid- and DOT-safe id (`a0`).
    pub id: String,
    /// Null when the account is unknown.
    pub account: Option<String>,
    pub regions: Vec<RegionGroup>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RegionGroup {
    pub id: String,
    /// Null when the region is unknown (an environment-agnostic stack).
    pub region: Option<String>,
    /// The SES state of this account and region: `sandbox`, `production` or `unknown`.
    pub ses_state: String,
    /// Who said it: `live`, `flag` or `config`; null when unknown.
    pub ses_state_source: Option<String>,
    pub senders: Vec<SenderNode>,
    pub identities: Vec<IdentityNode>,
    /// Clean senders drawn as one node: how many stacks and senders it stands for.
    pub collapsed: Option<CollapsedNode>,
    /// With `--aws`: what SESv2 `GetAccount` said for this account and region.
    pub live: Option<AccountState>,
    /// With `--aws`: why it could not be read (the lookup's summary).
    pub live_error: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SenderNode {
    pub id: String,
    /// The facts document's id (`FILE#LOGICALID#N`), or the trigger sender's.
    pub fact: String,
    /// `user-pool`, `replica`, `risk-notification` or `trigger`.
    pub kind: String,
    pub stack: String,
    pub file: String,
    pub resource: String,
    pub cdk_path: Option<String>,
    /// How mail leaves: `ses` (your SES), `cognito` (Cognito's built-in mailer), `lambda`
    /// (a custom email sender), `unknown`.
    pub mailer: String,
    /// `public` or `admin`.
    pub exposure: String,
    /// The most severe finding on the sender, null when clean.
    pub severity: Option<Severity>,
    /// Codes of its findings, most severe first, each once.
    pub findings: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IdentityNode {
    pub id: String,
    /// The identity name, or null when the `SourceArn` does not resolve.
    pub name: Option<String>,
    /// `declared` (by a stack of the run, in this account and region), `elsewhere` (declared
    /// only in other regions), `other-level`, `missing` (declared nowhere in the run) or
    /// `unknown`.
    pub status: String,
    /// The stacks of the run that declare it here.
    pub declared_by: Vec<String>,
    /// With `--aws`: verified for sending there.
    pub verified: Option<bool>,
    /// With `--aws`: SES's `VerificationStatus` (`SUCCESS`, `PENDING`, ...), or `NOT_FOUND`.
    pub verification_status: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CollapsedNode {
    pub id: String,
    pub stacks: usize,
    pub senders: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// The identity-join verdict, as on the identity: `declared`, `elsewhere`, `other-level`,
    /// `missing`, `unknown`.
    pub status: String,
    /// The most severe finding of the sender, drawn on the edge.
    pub severity: Option<Severity>,
    pub label: String,
}

impl Map {
    /// Makes every string of the map printable ([`crate::printable`]): logical ids, stack and
    /// identity names come from templates. Through its JSON form, so no field is forgotten, and
    /// only when some string needs it.
    pub fn escape(&mut self) {
        let Ok(mut value) = serde_json::to_value(&*self) else {
            return;
        };
        if crate::printable::escape_json(&mut value)
            && let Ok(escaped) = serde_json::from_value(value)
        {
            *self = escaped;
        }
    }
}

/// `account 111111111111, us-west-2` with the unknowns named.
pub fn place_words(account: &Option<String>, region: &Option<String>) -> String {
    format!(
        "{}, {}",
        account
            .as_deref()
            .map_or_else(|| "unknown account".to_owned(), |a| format!("account {a}")),
        region.as_deref().unwrap_or("unknown region")
    )
}

impl AccountGroup {
    pub fn title(&self) -> String {
        match &self.account {
            Some(account) => format!("account {account}"),
            None => "unknown account".to_owned(),
        }
    }
}

impl RegionGroup {
    /// `us-west-2 · SES sandbox (config)`.
    pub fn title(&self) -> String {
        let region = self.region.as_deref().unwrap_or("region unknown");
        let state = match self.ses_state.as_str() {
            "sandbox" => "SES sandbox",
            "production" => "SES production",
            _ => "SES state unknown",
        };
        match &self.ses_state_source {
            Some(source) => format!("{region} · {state} ({source})"),
            None => format!("{region} · {state}"),
        }
    }
}

impl SenderNode {
    /// The resource, its stack and what the node stands for.
    pub fn title(&self) -> String {
        let kind = match self.kind.as_str() {
            "user-pool" => "user pool",
            "replica" => "replica",
            "risk-notification" => "risk notifications",
            "trigger" => "trigger function",
            other => other,
        };
        format!("{} ({kind}, {})", self.resource, self.stack)
    }
}

impl IdentityNode {
    pub fn title(&self) -> String {
        let name = self.name.as_deref().unwrap_or("identity unknown");
        let status = match self.status.as_str() {
            "declared" => "declared",
            "elsewhere" => "declared only in other regions",
            "other-level" => "another level declared",
            "missing" => "not declared in the run",
            _ => "not resolved",
        };
        match self.verified {
            Some(true) => format!("{name} ({status}, verified)"),
            Some(false) => format!("{name} ({status}, not verified)"),
            None => format!("{name} ({status})"),
        }
    }
}
