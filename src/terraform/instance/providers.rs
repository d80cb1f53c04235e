//! Provider configurations as a module instance sees them: its own `provider` blocks evaluated,
//! those passed by `providers = {...}` or inherited, and the region and account of each resource.

use std::collections::HashMap;
use std::rc::Rc;

use super::{Instance, Origin, ProviderConfig};
use crate::source::Span;
use crate::terraform::eval::{Choice, Choices, known_string};
use crate::terraform::module::{Provider, Resource};
use crate::value::{Resolved, UnknownReason};

impl<'t> Instance<'t> {
    /// The provider configurations this module declares itself, evaluated here, on top of
    /// `inherited`.
    pub(super) fn own_providers(
        &self,
        inherited: &HashMap<String, Rc<ProviderConfig>>,
    ) -> HashMap<String, Rc<ProviderConfig>> {
        let mut providers = inherited.clone();
        for provider in &self.module.providers {
            providers.insert(provider.key(), Rc::new(self.provider_config(provider)));
        }
        // A module with no `aws` configuration of its own and none passed uses an empty one:
        // Terraform's default provider, configured by the environment.
        providers
            .entry("aws".to_owned())
            .or_insert_with(|| Rc::new(self.fallback_config("aws".to_owned())));
        providers
    }

    pub(super) fn fallback_config(&self, key: String) -> ProviderConfig {
        let fallback = &self.tree.fallback;
        ProviderConfig {
            key,
            region: fallback.region.as_ref().map(|(r, _)| r.clone()),
            region_source: fallback
                .region
                .as_ref()
                .map_or_else(Default::default, |(_, s)| *s),
            region_at: None,
            region_unknown: None,
            account: fallback.account.as_ref().map(|(a, _)| a.clone()),
            account_source: fallback
                .account
                .as_ref()
                .map_or_else(Default::default, |(_, s)| *s),
        }
    }

    pub(super) fn provider_config(&self, provider: &Provider) -> ProviderConfig {
        let mut config = self.fallback_config(provider.key());
        if let Some(attr) = provider.body.attribute("region") {
            let (choices, reads) = self.eval_recorded(provider.file, Vec::new(), &attr.expr);
            let written = Origin {
                file: self.file_name(provider.file).to_owned(),
                span: attr.expr.span(),
                label: format!("region of provider `{}`", provider.key()),
            };
            match single_string(&choices) {
                Ok(region) => {
                    config.region = Some(region);
                    config.region_source = crate::join::EnvSource::TerraformProvider;
                    config.region_at = Some(match self.origin_of(&reads) {
                        Some(origin) => Origin {
                            label: format!(
                                "region of provider `{}`: {}",
                                provider.key(),
                                origin.label
                            ),
                            ..origin
                        },
                        None => written,
                    });
                    config.region_unknown = None;
                }
                Err(why) if config.region.is_none() => config.region_unknown = Some(why),
                Err(_) => {}
            }
        }
        let account = provider
            .body
            .attribute("allowed_account_ids")
            .and_then(|attr| {
                match self
                    .evaluator(provider.file, Vec::new())
                    .eval(&attr.expr)
                    .as_slice()
                {
                    [
                        Choice {
                            value: Resolved::List(ids),
                            ..
                        },
                    ] if ids.len() == 1 => known_string(&ids[0]),
                    _ => None,
                }
            })
            .or_else(|| {
                let role = provider.body.blocks("assume_role").next()?;
                let attr = role.body.attribute("role_arn")?;
                let choices = self.evaluator(provider.file, Vec::new()).eval(&attr.expr);
                let arn = single_string(&choices).ok()?;
                let account = arn.split(':').nth(4)?;
                crate::config::is_account(account).then(|| account.to_owned())
            });
        if let Some(account) = account {
            config.account = Some(account);
            config.account_source = crate::join::EnvSource::TerraformProvider;
        }
        config
    }

    /// The provider configuration a resource or data source uses: its `provider` argument, or
    /// the default configuration of its type's provider.
    pub fn provider_of(&self, resource: &Resource) -> Rc<ProviderConfig> {
        let key = resource
            .body
            .attribute("provider")
            .and_then(|a| match a.expr.as_literal() {
                Some(text) => Some(text),
                None => a.expr.as_path().map(|p| p.join(".")),
            })
            .unwrap_or_else(|| resource.kind.split('_').next().unwrap_or("aws").to_owned());
        self.providers
            .get(&key)
            .or_else(|| self.providers.get("aws"))
            .cloned()
            .unwrap_or_else(|| Rc::new(self.fallback_config(key)))
    }

    /// The region a resource instance is created in: its own `region` argument (AWS provider
    /// 6), else its provider's. `Err` holds why it is unknown.
    pub fn region_of(
        &self,
        resource: &Resource,
        iterators: &[(String, Resolved)],
    ) -> (
        Option<String>,
        crate::join::EnvSource,
        Option<Origin>,
        Option<crate::value::Unknown>,
    ) {
        if let Some(attr) = resource.body.attribute("region") {
            let (choices, reads) =
                self.eval_recorded(resource.file, iterators.to_vec(), &attr.expr);
            match single_string(&choices) {
                Ok(region) => {
                    let written = Origin {
                        file: self.file_name(resource.file).to_owned(),
                        span: attr.expr.span(),
                        label: "region of the resource".to_owned(),
                    };
                    return (
                        Some(region),
                        crate::join::EnvSource::TerraformProvider,
                        Some(self.origin_of(&reads).unwrap_or(written)),
                        None,
                    );
                }
                Err(why) => return (None, crate::join::EnvSource::Unknown, None, Some(why)),
            }
        }
        let provider = self.provider_of(resource);
        (
            provider.region.clone(),
            provider.region_source,
            provider.region_at.clone(),
            provider.region_unknown.clone(),
        )
    }
}

/// The one known string of `choices`, or why there is none.
pub(super) fn single_string(choices: &Choices) -> Result<String, crate::value::Unknown> {
    let why = |value: &Resolved| match crate::terraform::eval::first_unknown(value) {
        Some(Resolved::Unknown(u)) => u,
        _ => crate::value::Unknown {
            span: Span::default(),
            reason: UnknownReason::Invalid {
                reason: "not a string".into(),
            },
        },
    };
    match choices.as_slice() {
        [choice] => known_string(&choice.value).ok_or_else(|| why(&choice.value)),
        [first, ..] => Err(crate::value::Unknown {
            span: crate::terraform::eval::first_unknown(&first.value)
                .and_then(|v| match v {
                    Resolved::Unknown(u) => Some(u.span),
                    _ => None,
                })
                .unwrap_or_default(),
            reason: UnknownReason::Invalid {
                reason: "it depends on a condition".into(),
            },
        }),
        [] => Err(why(&Resolved::Null)),
    }
}
