//! The sender properties facts are computed from, each declared once with its path in every
//! source language. The front ends read and resolve exactly these paths, the join reads them by
//! name, and `unresolved` names what is missing in the words of the language the value was
//! written in; a property cannot be read without being declared, nor declared without a place
//! to come from.
//!
//! Adding a property: an entry of the `properties!` list below (`Variant as snake_name`) (`cargo xtask new-rule --property`
//! writes it), then the facts field that carries its verdict (`src/join/facts.rs`) and the line
//! of `src/join/sender.rs` that computes it (plus its span, when a rule points at it). A test
//! fails while a declared property feeds no fact.

use super::kind::{Language, SenderKind};

/// Where a property's path starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// The resource's own properties (Terraform: its arguments).
    Resource,
    /// The sender's email settings: a pool's `EmailConfiguration`, a risk configuration's notify
    /// configuration ([`SenderKind::email_settings`]).
    Email,
}

/// How one language writes a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The value at these keys, from the [`Base`]: a number picks one item of a list (a
    /// Terraform block), `*` takes the last key from every item of a list.
    At(&'static [&'static str]),
    /// The language has no such value, but a block whose presence means it: Terraform's
    /// `email_mfa_configuration` block is email MFA enabled (`EnabledMfas: [EMAIL_OTP]`).
    PresentAs(&'static [&'static str], &'static str),
    /// Always this value, written nowhere (a risk configuration's notifications always go
    /// through SES: `EmailSendingAccount` is `DEVELOPER`).
    Fixed(&'static str),
    /// The language cannot say it: the property is absent.
    Absent,
}

/// One property: where each language writes it, and whether rules need it resolved.
#[derive(Clone, Copy, Debug)]
pub struct Declaration {
    pub property: Property,
    pub base: Base,
    pub cloudformation: Path,
    pub terraform: Path,
    /// Where a kind of sender writes it otherwise: `(kind, language or every language, path)`.
    pub except: &'static [(SenderKind, Option<Language>, Path)],
    /// A value that could not be resolved is reported (`unresolved`, ST002) for a sender that
    /// uses SES: rules cannot judge without it.
    pub needed: bool,
    /// The values the API accepts, when it is an enumeration: a known value outside them is
    /// reported like an unresolved one (the rules cannot judge it either).
    pub values: &'static [&'static str],
    /// A value (JSON) whose presence changes what the join says of a pool: the example of the
    /// reference, and what the test that every property is read sets.
    pub example: &'static str,
}

impl Declaration {
    /// What an entry of [`properties!`] does not say.
    const DEFAULT: Declaration = Declaration {
        property: Property::EmailSendingAccount,
        base: Base::Resource,
        cloudformation: Path::Absent,
        terraform: Path::Absent,
        except: &[],
        needed: false,
        values: &[],
        example: "",
    };
}

/// The [`Property`] enum, [`Property::ALL`] and [`PROPERTIES`] from one list of entries.
macro_rules! properties {
    ($($(#[$doc:meta])* $variant:ident as $snake:ident { $($key:ident: $value:expr),* $(,)? })*) => {
        /// What a sender's language calls each property (`SourceArn` in CloudFormation,
        /// `source_arn` in Terraform), for messages in the words of the source.
        #[derive(Clone, Debug, Default, serde::Serialize, schemars::JsonSchema)]
        pub struct PropertyNames {
            /// The email settings (`EmailConfiguration`, `email_configuration`, a risk
            /// configuration's notify configuration).
            pub email_configuration: &'static str,
            $(pub $snake: &'static str,)*
        }

        impl PropertyNames {
            pub fn of(language: Language, kind: SenderKind) -> PropertyNames {
                PropertyNames {
                    email_configuration: kind
                        .email_settings(language)
                        .iter()
                        .rev()
                        .find(|k| k.parse::<usize>().is_err())
                        .copied()
                        .unwrap_or_default(),
                    $($snake: Property::$variant.name(language, kind),)*
                }
            }
        }

        /// A property of a sender resource that a fact depends on.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Property {
            $($(#[$doc])* $variant,)*
        }

        impl Property {
            /// Every property, in the order of [`PROPERTIES`].
            pub const ALL: [Property; [$(stringify!($variant)),*].len()] =
                [$(Property::$variant),*];
        }

        /// Every property, at the index of its [`Property`] variant.
        // The defaults fill what an entry leaves out; an entry may say everything.
        #[allow(clippy::needless_update)]
        pub const PROPERTIES: [Declaration; Property::ALL.len()] = [$(Declaration {
            property: Property::$variant,
            $($key: $value,)*
            ..Declaration::DEFAULT
        }),*];
    };
}

impl Property {
    pub fn declaration(self) -> &'static Declaration {
        &PROPERTIES[self as usize]
    }

    /// How `language` writes it for a sender of `kind`, from the declaration's [`Base`].
    pub fn path(self, language: Language, kind: SenderKind) -> Path {
        let declaration = self.declaration();
        let exception = declaration
            .except
            .iter()
            .find(|(k, l, _)| *k == kind && l.is_none_or(|l| l == language));
        match (exception, language) {
            (Some((_, _, path)), _) => *path,
            (None, Language::CloudFormation) => declaration.cloudformation,
            (None, Language::Terraform) => declaration.terraform,
        }
    }

    /// The keys from the resource's properties to the node that holds the value (the list of a
    /// `*` path, the block of a `PresentAs`); `None` when nothing is written.
    pub fn keys(self, language: Language, kind: SenderKind) -> Option<Vec<&'static str>> {
        let keys = match self.path(language, kind) {
            Path::At(keys) => keys.split(|k| *k == "*").next().unwrap_or(keys),
            Path::PresentAs(keys, _) => keys,
            Path::Fixed(_) | Path::Absent => return None,
        };
        let mut path = match self.declaration().base {
            Base::Resource => Vec::new(),
            Base::Email => kind.email_settings(language).to_vec(),
        };
        path.extend_from_slice(keys);
        Some(path)
    }

    /// The name the language gives it, as `unresolved` and help texts say it: `SourceArn` in
    /// CloudFormation, `source_arn` in Terraform.
    pub fn name(self, language: Language, kind: SenderKind) -> &'static str {
        let keys = match self.path(language, kind) {
            Path::At(keys) | Path::PresentAs(keys, _) => keys,
            Path::Fixed(_) | Path::Absent => self.cloudformation_keys(),
        };
        keys.iter()
            .rev()
            .find(|k| **k != "*" && k.parse::<usize>().is_err() && !is_item_key(keys, k))
            .copied()
            .unwrap_or_default()
    }

    fn cloudformation_keys(self) -> &'static [&'static str] {
        match self.declaration().cloudformation {
            Path::At(keys) | Path::PresentAs(keys, _) => keys,
            Path::Fixed(_) | Path::Absent => &[],
        }
    }
}

/// The key read from every item of a `*` path names the items, not the property.
fn is_item_key(keys: &[&str], key: &str) -> bool {
    keys.iter()
        .position(|k| *k == "*")
        .is_some_and(|star| keys[star + 1..].contains(&key))
}

properties! {
    EmailSendingAccount as email_sending_account {
        base: Base::Email,
        cloudformation: Path::At(&["EmailSendingAccount"]),
        terraform: Path::At(&["email_sending_account"]),
        except: &[(SenderKind::RiskNotify, None, Path::Fixed("DEVELOPER"))],
        needed: true,
        values: &["COGNITO_DEFAULT", "DEVELOPER"],
        example: r#""DEVELOPER""#,
    }
    SourceArn as source_arn {
        base: Base::Email,
        cloudformation: Path::At(&["SourceArn"]),
        terraform: Path::At(&["source_arn"]),
        needed: true,
        example: r#""arn:aws:ses:eu-west-1:111111111111:identity/example.com""#,
    }
    From as from {
        base: Base::Email,
        cloudformation: Path::At(&["From"]),
        terraform: Path::At(&["from_email_address"]),
        except: &[(
            SenderKind::RiskNotify,
            Some(Language::Terraform),
            Path::At(&["from"]),
        )],
        needed: true,
        example: r#""noreply@example.com""#,
    }
    ConfigurationSet as configuration_set {
        base: Base::Email,
        cloudformation: Path::At(&["ConfigurationSet"]),
        terraform: Path::At(&["configuration_set"]),
        needed: true,
        example: r#""transactional""#,
    }
    AllowAdminCreateUserOnly as allow_admin_create_user_only {
        cloudformation: Path::At(&["AdminCreateUserConfig", "AllowAdminCreateUserOnly"]),
        terraform: Path::At(&["admin_create_user_config", "0", "allow_admin_create_user_only"]),
        needed: true,
        example: "true",
    }
    AutoVerifiedAttributes as auto_verified_attributes {
        cloudformation: Path::At(&["AutoVerifiedAttributes"]),
        terraform: Path::At(&["auto_verified_attributes"]),
        needed: true,
        example: r#"["email"]"#,
    }
    UsernameAttributes as username_attributes {
        cloudformation: Path::At(&["UsernameAttributes"]),
        terraform: Path::At(&["username_attributes"]),
        example: r#"["email"]"#,
    }
    AliasAttributes as alias_attributes {
        cloudformation: Path::At(&["AliasAttributes"]),
        terraform: Path::At(&["alias_attributes"]),
        example: r#"["email"]"#,
    }
    /// The names of the account recovery mechanisms.
    RecoveryMechanisms as recovery_mechanisms {
        cloudformation: Path::At(&["AccountRecoverySetting", "RecoveryMechanisms", "*", "Name"]),
        terraform: Path::At(&[
            "account_recovery_setting",
            "0",
            "recovery_mechanism",
            "*",
            "name",
        ]),
        example: r#""admin_only""#,
    }
    EnabledMfas as enabled_mfas {
        cloudformation: Path::At(&["EnabledMfas"]),
        terraform: Path::PresentAs(&["email_mfa_configuration"], "EMAIL_OTP"),
        example: r#"["EMAIL_OTP"]"#,
    }
    CustomEmailSender as custom_email_sender {
        cloudformation: Path::At(&["LambdaConfig", "CustomEmailSender"]),
        terraform: Path::At(&["lambda_config", "0", "custom_email_sender"]),
        example: r#"{"LambdaArn": "arn:aws:lambda:eu-west-1:111111111111:function:f", "LambdaVersion": "V1_0"}"#,
    }
    ReplyTo as reply_to {
        base: Base::Email,
        cloudformation: Path::At(&["ReplyToEmailAddress"]),
        terraform: Path::At(&["reply_to_email_address"]),
        except: &[
            (SenderKind::RiskNotify, Some(Language::CloudFormation), Path::At(&["ReplyTo"])),
            (SenderKind::RiskNotify, Some(Language::Terraform), Path::At(&["reply_to"])),
        ],
        example: r#""Support <support@example.com>""#,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_is_declared_at_its_own_index() {
        for (index, property) in Property::ALL.iter().enumerate() {
            assert_eq!(*property as usize, index);
            assert_eq!(PROPERTIES[index].property, *property);
        }
    }

    #[test]
    fn names_are_the_language_s_own() {
        use Language::{CloudFormation, Terraform};
        let pool = SenderKind::UserPool;
        assert_eq!(Property::SourceArn.name(CloudFormation, pool), "SourceArn");
        assert_eq!(Property::SourceArn.name(Terraform, pool), "source_arn");
        assert_eq!(
            Property::AllowAdminCreateUserOnly.name(Terraform, pool),
            "allow_admin_create_user_only"
        );
        assert_eq!(
            Property::RecoveryMechanisms.name(CloudFormation, pool),
            "RecoveryMechanisms"
        );
        assert_eq!(
            Property::From.name(Terraform, SenderKind::RiskNotify),
            "from"
        );
        assert_eq!(
            Property::EnabledMfas.name(Terraform, pool),
            "email_mfa_configuration"
        );
    }

    #[test]
    fn keys_start_at_the_email_settings_of_the_kind() {
        use Language::{CloudFormation, Terraform};
        assert_eq!(
            Property::SourceArn.keys(CloudFormation, SenderKind::RiskNotify),
            Some(vec![
                "AccountTakeoverRiskConfiguration",
                "NotifyConfiguration",
                "SourceArn"
            ])
        );
        assert_eq!(
            Property::RecoveryMechanisms.keys(Terraform, SenderKind::UserPool),
            Some(vec!["account_recovery_setting", "0", "recovery_mechanism"])
        );
        assert_eq!(
            Property::EmailSendingAccount.keys(CloudFormation, SenderKind::RiskNotify),
            None
        );
    }
}
