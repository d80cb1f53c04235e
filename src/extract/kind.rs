//! What a resource is, whatever language declares it: the one place where resource type names
//! become kinds, and the one `match` that says which kinds send mail.

/// A source language a front end reads.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// CloudFormation templates (YAML, JSON), SAM, CDK cloud assemblies.
    #[default]
    CloudFormation,
    /// Terraform and OpenTofu configurations, CDK for Terraform.
    Terraform,
}

/// Which resource sends the mail.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SenderKind {
    /// `AWS::Cognito::UserPool` `EmailConfiguration`.
    #[default]
    UserPool,
    /// `AWS::Cognito::UserPoolRegionalConfigurationAttachment` in a replica region.
    Replica,
    /// `AWS::Cognito::UserPoolRiskConfigurationAttachment` notify configuration.
    #[serde(rename = "risk-notification")]
    RiskNotify,
}

impl SenderKind {
    /// The keys of the sender's email settings in its resource's properties.
    pub fn email_settings(self, language: Language) -> &'static [&'static str] {
        match (self, language) {
            (SenderKind::UserPool | SenderKind::Replica, Language::CloudFormation) => {
                &["EmailConfiguration"]
            }
            (SenderKind::UserPool | SenderKind::Replica, Language::Terraform) => {
                &["email_configuration", "0"]
            }
            (SenderKind::RiskNotify, Language::CloudFormation) => {
                &["AccountTakeoverRiskConfiguration", "NotifyConfiguration"]
            }
            (SenderKind::RiskNotify, Language::Terraform) => &[
                "account_takeover_risk_configuration",
                "0",
                "notify_configuration",
                "0",
            ],
        }
    }

    /// Whether the resource sends only when its email settings are there: a risk
    /// configuration without a notify configuration sends nothing, while a pool without
    /// `EmailConfiguration` still mails through Cognito's own mailer.
    pub fn needs_email_settings(self) -> bool {
        match self {
            SenderKind::RiskNotify => true,
            SenderKind::UserPool | SenderKind::Replica => false,
        }
    }
}

/// What a resource is to the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// It may send mail.
    Sender(SenderKind),
    /// An SES identity (an email address or a domain).
    Identity,
    /// An SES configuration set.
    ConfigurationSet,
}

impl ResourceKind {
    /// The sender it is, if it sends.
    pub fn sender(self) -> Option<SenderKind> {
        match self {
            ResourceKind::Sender(kind) => Some(kind),
            ResourceKind::Identity | ResourceKind::ConfigurationSet => None,
        }
    }
}

/// A resource type of one language that the analysis reads.
#[derive(Clone, Copy, Debug)]
pub struct ResourceType {
    pub language: Language,
    pub name: &'static str,
    pub kind: ResourceKind,
    /// For identities and configuration sets: the key of the name they declare.
    pub name_key: &'static str,
}

const fn resource(
    language: Language,
    name: &'static str,
    kind: ResourceKind,
    name_key: &'static str,
) -> ResourceType {
    ResourceType {
        language,
        name,
        kind,
        name_key,
    }
}

use Language::{CloudFormation as Cfn, Terraform as Tf};
use ResourceKind::{ConfigurationSet, Identity, Sender};

/// Every resource type the analysis reads, in every language.
pub const RESOURCE_TYPES: &[ResourceType] = &[
    resource(
        Cfn,
        "AWS::Cognito::UserPool",
        Sender(SenderKind::UserPool),
        "",
    ),
    resource(
        Cfn,
        "AWS::Cognito::UserPoolRegionalConfigurationAttachment",
        Sender(SenderKind::Replica),
        "",
    ),
    resource(
        Cfn,
        "AWS::Cognito::UserPoolRiskConfigurationAttachment",
        Sender(SenderKind::RiskNotify),
        "",
    ),
    resource(Cfn, "AWS::SES::EmailIdentity", Identity, "EmailIdentity"),
    resource(Cfn, "AWS::PinpointEmail::Identity", Identity, "Name"),
    resource(Cfn, "AWS::SES::ConfigurationSet", ConfigurationSet, "Name"),
    resource(
        Cfn,
        "AWS::PinpointEmail::ConfigurationSet",
        ConfigurationSet,
        "Name",
    ),
    resource(
        Tf,
        "aws_cognito_user_pool",
        Sender(SenderKind::UserPool),
        "",
    ),
    resource(
        Tf,
        "aws_cognito_risk_configuration",
        Sender(SenderKind::RiskNotify),
        "",
    ),
    resource(Tf, "aws_ses_domain_identity", Identity, "domain"),
    resource(Tf, "aws_ses_email_identity", Identity, "email"),
    resource(Tf, "aws_sesv2_email_identity", Identity, "email_identity"),
    resource(Tf, "aws_ses_configuration_set", ConfigurationSet, "name"),
    resource(
        Tf,
        "aws_sesv2_configuration_set",
        ConfigurationSet,
        "configuration_set_name",
    ),
];

/// The resource type `name` of `language`, when the analysis reads it.
pub fn resource_type(language: Language, name: &str) -> Option<&'static ResourceType> {
    RESOURCE_TYPES
        .iter()
        .find(|t| t.language == language && t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_found_in_their_language_only() {
        let pool = resource_type(Language::CloudFormation, "AWS::Cognito::UserPool");
        assert_eq!(
            pool.map(|t| t.kind),
            Some(ResourceKind::Sender(SenderKind::UserPool))
        );
        assert!(resource_type(Language::Terraform, "AWS::Cognito::UserPool").is_none());
        assert!(resource_type(Language::CloudFormation, "AWS::S3::Bucket").is_none());
        let identity = resource_type(Language::Terraform, "aws_sesv2_email_identity");
        assert_eq!(identity.map(|t| t.name_key), Some("email_identity"));
    }

    #[test]
    fn identities_and_configuration_sets_name_what_they_declare() {
        for t in RESOURCE_TYPES {
            assert_eq!(
                t.kind.sender().is_none(),
                !t.name_key.is_empty(),
                "{}",
                t.name
            );
        }
    }
}
