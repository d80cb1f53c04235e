//! Cognito's other mail path, as every front end gives it: a pool's Lambda trigger whose
//! function's role may send mail through SES itself. What a trigger is, who gets the mail it
//! sends, and which IAM actions send mail are decided here once; each front end follows its own
//! language from the pool to the function, its role and the policies that grant sending
//! (`crate::cloudformation::trigger`, `crate::terraform::trigger`).

use crate::source::Span;
use crate::value::{Text, Truth};

use super::Language;

/// A place in a file of the run: a trigger sender's pieces may be written in several files
/// (a Terraform module's pool, function and role policies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct At {
    /// The file's display name.
    pub file: String,
    pub span: Span,
}

impl At {
    pub fn new(file: &str, span: Span) -> At {
        At {
            file: file.to_owned(),
            span,
        }
    }
}

/// Who receives what a trigger's function sends, when it mails the user it runs for
/// (docs/domain.md#trigger-functions-that-send-mail).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Recipients {
    /// Every new user: `PreSignUp` runs on each sign-up (and invitation), `PostConfirmation`
    /// once each account is confirmed.
    NewUsers,
    /// The user signing in: the authentication and custom-challenge triggers, token
    /// generation, user migration.
    #[default]
    SigningIn,
    /// Whoever Cognito sends a message to: the custom senders deliver every code and
    /// invitation Cognito would have sent.
    MessageRecipients,
}

/// The Lambda triggers of a user pool whose function may mail the user itself.
/// `CustomMessage` is not one: it returns the text and Cognito still sends it, through the
/// pool's own email settings (which ST101 judges).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Trigger {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    PreTokenGeneration,
    UserMigration,
    CustomEmailSender,
    CustomSmsSender,
}

impl Trigger {
    pub const ALL: [Trigger; 11] = [
        Trigger::PreSignUp,
        Trigger::PostConfirmation,
        Trigger::PreAuthentication,
        Trigger::PostAuthentication,
        Trigger::DefineAuthChallenge,
        Trigger::CreateAuthChallenge,
        Trigger::VerifyAuthChallengeResponse,
        Trigger::PreTokenGeneration,
        Trigger::UserMigration,
        Trigger::CustomEmailSender,
        Trigger::CustomSmsSender,
    ];

    /// Cognito's name, which CloudFormation's `LambdaConfig`, SAM's `Cognito` event and the
    /// Serverless Framework's `cognitoUserPool` event use.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::UserMigration => "UserMigration",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
        }
    }

    /// The trigger as `language` writes it in a pool's Lambda configuration.
    pub fn name_in(self, language: Language) -> &'static str {
        match language {
            Language::CloudFormation => self.name(),
            Language::Terraform => self.terraform(),
        }
    }

    /// The argument of the Terraform `lambda_config` block.
    pub fn terraform(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "pre_sign_up",
            Trigger::PostConfirmation => "post_confirmation",
            Trigger::PreAuthentication => "pre_authentication",
            Trigger::PostAuthentication => "post_authentication",
            Trigger::DefineAuthChallenge => "define_auth_challenge",
            Trigger::CreateAuthChallenge => "create_auth_challenge",
            Trigger::VerifyAuthChallengeResponse => "verify_auth_challenge_response",
            Trigger::PreTokenGeneration => "pre_token_generation",
            Trigger::UserMigration => "user_migration",
            Trigger::CustomEmailSender => "custom_email_sender",
            Trigger::CustomSmsSender => "custom_sms_sender",
        }
    }

    /// The trigger Cognito's name (or the CloudFormation key) stands for:
    /// `PreTokenGenerationConfig` is `PreTokenGeneration` with a version.
    pub fn from_name(name: &str) -> Option<Trigger> {
        if name == "PreTokenGenerationConfig" {
            return Some(Trigger::PreTokenGeneration);
        }
        Trigger::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Who gets the mail the function sends.
    pub fn recipients(self) -> Recipients {
        match self {
            Trigger::PreSignUp | Trigger::PostConfirmation => Recipients::NewUsers,
            Trigger::CustomEmailSender | Trigger::CustomSmsSender => Recipients::MessageRecipients,
            _ => Recipients::SigningIn,
        }
    }
}

/// A pool trigger whose function's role may send mail through SES.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerSender {
    /// The language the pool is written in.
    pub language: Language,
    /// The user pool (a logical id, a Terraform address) and where it is declared.
    pub pool: String,
    pub pool_at: At,
    pub trigger: Trigger,
    /// Where the pool names the function (or the SAM `Cognito` event's, the Serverless
    /// `cognitoUserPool` event's `trigger`).
    pub trigger_at: At,
    pub function: String,
    pub function_at: At,
    /// The role, when the permission comes from one.
    pub role: Option<String>,
    /// The statement (or policy template, or managed policy) that grants sending.
    pub grant_at: At,
    /// The SES resources the grant names, resolved (`*` or identity ARNs).
    pub resources: Vec<Text>,
    /// An identity named by a SAM policy template's `IdentityName`.
    pub identity_name: Option<Text>,
    /// Only administrators create users (`AllowAdminCreateUserOnly`,
    /// `allow_admin_create_user_only`).
    pub admin_only: Truth,
    /// What the front end knows of where the pool came from (the `Fn::ForEach` iteration that
    /// made it), for a diagnostic's note.
    pub note: Option<String>,
}

/// The IAM actions that send mail. SES v1 and v2 share the `ses:` prefix and `ses:SendEmail`
/// (v2's `SendEmail` sends simple, raw and templated mail under it); `ses:SendBulkEmail` is
/// v2's bulk send:
/// <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservicev2.html>,
/// <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonses.html>.
pub const MAIL_ACTIONS: [&str; 5] = [
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
    "ses:SendBulkEmail",
];

/// The mail actions an IAM action pattern matches (`ses:Send*`, `ses:*`, `*`; IAM compares
/// actions without regard to case).
pub fn mail_actions(pattern: &str) -> impl Iterator<Item = &'static str> + '_ {
    let pattern = pattern.to_ascii_lowercase();
    MAIL_ACTIONS
        .into_iter()
        .filter(move |action| wildcard_match(&pattern, &action.to_ascii_lowercase()))
}

/// Whether an IAM action pattern allows sending mail.
pub fn sends_mail(pattern: &str) -> bool {
    mail_actions(pattern).next().is_some()
}

/// What a policy's statements allow of mail, once its `Deny`s are taken into account: the mail
/// actions some `Allow` statement grants that no `Deny` of every resource takes back. Each
/// statement is (allow, actions, resources are `*` or absent).
pub fn allowed_mail<'a>(
    statements: impl IntoIterator<Item = (bool, Vec<&'a str>, bool)>,
) -> Vec<&'static str> {
    let mut allowed: Vec<&'static str> = Vec::new();
    let mut denied: Vec<&'static str> = Vec::new();
    for (allow, actions, everywhere) in statements {
        for action in actions {
            for mail in mail_actions(action) {
                match (allow, everywhere) {
                    (true, _) if !allowed.contains(&mail) => allowed.push(mail),
                    // A `Deny` of some identities leaves the others allowed.
                    (false, true) if !denied.contains(&mail) => denied.push(mail),
                    _ => {}
                }
            }
        }
    }
    allowed.retain(|a| !denied.contains(a));
    allowed
}

/// IAM action globbing: `*` matches any run of characters, `?` one. Dynamic programming over
/// bytes, so a hostile pattern of many `*` stays linear in its length times the action's.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let text = text.as_bytes();
    // matched[j]: the pattern so far matches the first j bytes of the text.
    let mut matched = vec![false; text.len() + 1];
    matched[0] = true;
    for &p in pattern.as_bytes() {
        let mut next = vec![false; text.len() + 1];
        if p == b'*' {
            let mut any = false;
            for (j, slot) in next.iter_mut().enumerate() {
                any |= matched[j];
                *slot = any;
            }
        } else {
            for (j, &t) in text.iter().enumerate() {
                next[j + 1] = matched[j] && (p == b'?' || p == t);
            }
        }
        matched = next;
    }
    matched[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_actions_of_ses_v1_and_v2() {
        for yes in [
            "ses:SendEmail",
            "ses:SendRawEmail",
            "ses:SendTemplatedEmail",
            "ses:SendBulkTemplatedEmail",
            "ses:SendBulkEmail",
            "SES:send*",
            "ses:*",
            "*",
            "ses:Send?mail",
        ] {
            assert!(sends_mail(yes), "{yes}");
        }
        for no in [
            "ses:SendBounce",
            "ses:GetTemplate",
            "sns:Publish",
            "ses:Send",
            "s*:SendEmailX",
        ] {
            assert!(!sends_mail(no), "{no}");
        }
        assert_eq!(mail_actions("ses:Send*Templated*").count(), 2);
        assert!(wildcard_match("a*b*c", "axxbyc"));
        assert!(!wildcard_match("a*b", "ab-c"));
        assert!(!wildcard_match(
            &format!("{}x", "*".repeat(10_000)),
            "sendemail"
        ));
        assert!(wildcard_match(&"*".repeat(10_000), "sendemail"));
    }

    #[test]
    fn a_deny_of_every_resource_takes_an_action_back() {
        let allowed = allowed_mail([
            (true, vec!["*"], true),
            (false, vec!["ses:SendEmail"], true),
        ]);
        assert_eq!(
            allowed,
            [
                "ses:SendRawEmail",
                "ses:SendTemplatedEmail",
                "ses:SendBulkTemplatedEmail",
                "ses:SendBulkEmail"
            ]
        );
        assert!(
            allowed_mail([(true, vec!["*"], true), (false, vec!["ses:Send*"], true)]).is_empty()
        );
        // A deny of one identity leaves the others.
        assert_eq!(
            allowed_mail([
                (true, vec!["ses:SendEmail"], true),
                (false, vec!["ses:SendEmail"], false)
            ]),
            ["ses:SendEmail"]
        );
    }

    #[test]
    fn triggers_by_name() {
        for trigger in Trigger::ALL {
            assert_eq!(Trigger::from_name(trigger.name()), Some(trigger));
        }
        assert_eq!(
            Trigger::from_name("PreTokenGenerationConfig"),
            Some(Trigger::PreTokenGeneration)
        );
        assert_eq!(Trigger::from_name("CustomMessage"), None);
        assert_eq!(Trigger::from_name("KMSKeyID"), None);
        assert_eq!(Trigger::PostConfirmation.recipients(), Recipients::NewUsers);
    }
}
