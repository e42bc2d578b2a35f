//! Gitleaks' default rule ids and the leaktrap built-in rules that find the
//! same formats, so that `.gitleaksignore` entries and Gitleaks baselines
//! written against Gitleaks' default config keep suppressing what they
//! suppressed once leaktrap's built-in rules run instead.
//!
//! Data only: the ids of the 222 rules of Gitleaks 8.30's default config
//! (`config/gitleaks.toml`), each with the leaktrap built-in ids that cover
//! the same format. A Gitleaks rule that finds a value assigned to a
//! provider-named key, for a provider leaktrap has no rule for, maps to
//! leaktrap's generic assignment rules ([`GENERIC`]), which find such
//! values. An empty list means leaktrap has no rule for that format.
//! docs/migrating.md renders the table ([`markdown`]); a test keeps the two
//! equal, and another checks every leaktrap id against the built-in rules.

/// leaktrap's generic assignment rules: a secret-looking value assigned to
/// a key named like an API key, a secret, a token or a password.
pub const GENERIC: &[&str] = &[
    "generic.api-key-assignment",
    "generic.secret-assignment",
    "generic.token-assignment",
    "generic.password-assignment",
];

/// What a Gitleaks default rule id maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// These leaktrap built-in rules.
    Ids(&'static [&'static str]),
    /// Leaktrap's generic assignment rules ([`GENERIC`]).
    Generic,
    /// Generic assignment rules and these provider rules.
    GenericAnd(&'static [&'static str]),
    /// No leaktrap rule finds this format.
    None,
}

use Target::{Generic, GenericAnd, Ids, None as Nothing};

/// Gitleaks' default rule ids (sorted) and their leaktrap counterparts.
pub const TABLE: &[(&str, Target)] = &[
    ("1password-secret-key", Ids(&["1password.secret-key"])),
    (
        "1password-service-account-token",
        Ids(&["1password.service-account-token"]),
    ),
    ("adafruit-api-key", Generic),
    ("adobe-client-id", Generic),
    ("adobe-client-secret", Generic),
    ("age-secret-key", Ids(&["age.secret-key"])),
    ("airtable-api-key", Ids(&["airtable.api-key"])),
    ("airtable-personnal-access-token", Ids(&["airtable.pat"])),
    ("algolia-api-key", Ids(&["algolia.admin-key"])),
    ("alibaba-access-key-id", Ids(&["alibaba.access-key-id"])),
    ("alibaba-secret-key", Ids(&["alibaba.access-key-secret"])),
    ("anthropic-admin-api-key", Ids(&["anthropic.admin-key"])),
    ("anthropic-api-key", Ids(&["anthropic.api-key"])),
    ("artifactory-api-key", Ids(&["jfrog.api-key"])),
    (
        "artifactory-reference-token",
        Ids(&["jfrog.reference-token"]),
    ),
    ("asana-client-id", Generic),
    ("asana-client-secret", Generic),
    ("atlassian-api-token", GenericAnd(&["atlassian.api-token"])),
    ("authress-service-client-access-key", Nothing),
    ("aws-access-token", Ids(&["aws.access-key-id"])),
    (
        "aws-amazon-bedrock-api-key-long-lived",
        Ids(&["aws.bedrock-api-key"]),
    ),
    ("aws-amazon-bedrock-api-key-short-lived", Nothing),
    (
        "azure-ad-client-secret",
        Ids(&["azure.entra-client-secret"]),
    ),
    ("beamer-api-token", Generic),
    ("bitbucket-client-id", Generic),
    (
        "bitbucket-client-secret",
        GenericAnd(&["bitbucket.legacy-app-password"]),
    ),
    ("bittrex-access-key", Generic),
    ("bittrex-secret-key", Generic),
    ("cisco-meraki-api-key", Generic),
    ("clickhouse-cloud-api-secret-key", Nothing),
    ("clojars-api-token", Nothing),
    (
        "cloudflare-api-key",
        Ids(&["cloudflare.api-token", "cloudflare.global-api-key"]),
    ),
    (
        "cloudflare-global-api-key",
        Ids(&["cloudflare.global-api-key"]),
    ),
    (
        "cloudflare-origin-ca-key",
        Ids(&["cloudflare.origin-ca-key"]),
    ),
    ("codecov-access-token", Ids(&["codecov.upload-token"])),
    ("cohere-api-token", Ids(&["cohere.api-key"])),
    ("coinbase-access-token", Generic),
    ("confluent-access-token", Generic),
    ("confluent-secret-key", Generic),
    ("contentful-delivery-api-token", Generic),
    (
        "curl-auth-header",
        Ids(&["generic.bearer-token", "http.basic-auth-header"]),
    ),
    ("curl-auth-user", Ids(&["http.curl-user-password"])),
    ("databricks-api-token", Ids(&["databricks.pat"])),
    (
        "datadog-access-token",
        Ids(&["datadog.api-key", "datadog.app-key"]),
    ),
    ("defined-networking-api-token", Generic),
    (
        "digitalocean-access-token",
        Ids(&["digitalocean.oauth-token"]),
    ),
    ("digitalocean-pat", Ids(&["digitalocean.pat"])),
    (
        "digitalocean-refresh-token",
        Ids(&["digitalocean.refresh-token"]),
    ),
    ("discord-api-token", Generic),
    ("discord-client-id", Generic),
    ("discord-client-secret", Ids(&["discord.client-secret"])),
    ("doppler-api-token", Ids(&["doppler.personal-token"])),
    ("droneci-access-token", Generic),
    ("dropbox-api-token", Generic),
    ("dropbox-long-lived-api-token", Generic),
    ("dropbox-short-lived-api-token", Generic),
    ("duffel-api-token", Nothing),
    ("dynatrace-api-token", Ids(&["dynatrace.api-token"])),
    ("easypost-api-token", Nothing),
    ("easypost-test-api-token", Nothing),
    ("etsy-access-token", Generic),
    ("facebook-access-token", Nothing),
    ("facebook-page-access-token", Nothing),
    ("facebook-secret", Generic),
    ("fastly-api-token", Ids(&["fastly.api-token"])),
    ("finicity-api-token", Generic),
    ("finicity-client-secret", Generic),
    ("finnhub-access-token", Generic),
    ("flickr-access-token", Generic),
    ("flutterwave-encryption-key", Nothing),
    ("flutterwave-public-key", Nothing),
    ("flutterwave-secret-key", Ids(&["flutterwave.secret-key"])),
    (
        "flyio-access-token",
        Ids(&["flyio.personal-token", "flyio.macaroon-token"]),
    ),
    ("frameio-api-token", Nothing),
    ("freemius-secret-key", Generic),
    ("freshbooks-access-token", Generic),
    ("gcp-api-key", Ids(&["google.api-key"])),
    ("generic-api-key", Generic),
    (
        "github-app-token",
        Ids(&[
            "github.user-to-server-token",
            "github.server-to-server-token",
        ]),
    ),
    ("github-fine-grained-pat", Ids(&["github.fine-grained-pat"])),
    ("github-oauth", Ids(&["github.oauth-token"])),
    ("github-pat", Ids(&["github.pat-classic"])),
    ("github-refresh-token", Ids(&["github.refresh-token"])),
    ("gitlab-cicd-job-token", Ids(&["gitlab.ci-job-token"])),
    ("gitlab-deploy-token", Ids(&["gitlab.deploy-token"])),
    ("gitlab-feature-flag-client-token", Nothing),
    ("gitlab-feed-token", Ids(&["gitlab.feed-token"])),
    (
        "gitlab-incoming-mail-token",
        Ids(&["gitlab.incoming-mail-token"]),
    ),
    (
        "gitlab-kubernetes-agent-token",
        Ids(&["gitlab.agent-token"]),
    ),
    ("gitlab-oauth-app-secret", Ids(&["gitlab.oauth-app-secret"])),
    ("gitlab-pat", Ids(&["gitlab.pat"])),
    ("gitlab-pat-routable", Ids(&["gitlab.pat"])),
    ("gitlab-ptt", Ids(&["gitlab.pipeline-trigger-token"])),
    ("gitlab-rrt", Ids(&["gitlab.runner-registration-token"])),
    (
        "gitlab-runner-authentication-token",
        Ids(&["gitlab.runner-auth-token"]),
    ),
    (
        "gitlab-runner-authentication-token-routable",
        Ids(&["gitlab.runner-auth-token"]),
    ),
    ("gitlab-scim-token", Ids(&["gitlab.scim-token"])),
    ("gitlab-session-cookie", Nothing),
    ("gitter-access-token", Generic),
    ("gocardless-api-token", Generic),
    ("grafana-api-key", Ids(&["grafana.api-key"])),
    ("grafana-cloud-api-token", Ids(&["grafana.cloud-token"])),
    (
        "grafana-service-account-token",
        Ids(&["grafana.service-account-token"]),
    ),
    ("harness-api-key", Nothing),
    ("hashicorp-tf-api-token", Ids(&["terraform.api-token"])),
    (
        "hashicorp-tf-password",
        Ids(&["generic.password-assignment"]),
    ),
    ("heroku-api-key", Ids(&["heroku.legacy-api-key"])),
    ("heroku-api-key-v2", Ids(&["heroku.api-key"])),
    ("hubspot-api-key", Generic),
    (
        "huggingface-access-token",
        Ids(&["huggingface.access-token"]),
    ),
    (
        "huggingface-organization-api-token",
        Ids(&["huggingface.org-token"]),
    ),
    ("infracost-api-token", Nothing),
    ("intercom-api-key", GenericAnd(&["intercom.access-token"])),
    ("intra42-client-secret", Nothing),
    ("jfrog-api-key", GenericAnd(&["jfrog.api-key"])),
    (
        "jfrog-identity-token",
        GenericAnd(&["jfrog.reference-token"]),
    ),
    ("jwt", Ids(&["jwt.token"])),
    ("jwt-base64", Nothing),
    ("kraken-access-token", Generic),
    ("kubernetes-secret-yaml", Nothing),
    ("kucoin-access-token", Generic),
    ("kucoin-secret-key", Generic),
    ("launchdarkly-access-token", Generic),
    ("linear-api-key", Ids(&["linear.api-key"])),
    ("linear-client-secret", Generic),
    ("linkedin-client-id", Generic),
    ("linkedin-client-secret", Generic),
    ("lob-api-key", Generic),
    ("lob-pub-api-key", Generic),
    ("looker-client-id", Generic),
    ("looker-client-secret", Generic),
    ("mailchimp-api-key", Ids(&["mailchimp.api-key"])),
    ("mailgun-private-api-token", Ids(&["mailgun.api-key"])),
    ("mailgun-pub-key", Generic),
    ("mailgun-signing-key", Ids(&["mailgun.webhook-signing-key"])),
    ("mapbox-api-token", Generic),
    ("mattermost-access-token", Ids(&["mattermost.access-token"])),
    ("maxmind-license-key", Nothing),
    ("messagebird-api-token", Ids(&["messagebird.access-key"])),
    ("messagebird-client-id", Generic),
    (
        "microsoft-teams-webhook",
        Ids(&["microsoft-teams.webhook-url"]),
    ),
    (
        "netlify-access-token",
        Ids(&["netlify.legacy-token", "netlify.pat"]),
    ),
    (
        "new-relic-browser-api-token",
        Ids(&["new-relic.browser-api-key"]),
    ),
    (
        "new-relic-insert-key",
        Ids(&["new-relic.insights-insert-key"]),
    ),
    ("new-relic-user-api-id", Generic),
    ("new-relic-user-api-key", Ids(&["new-relic.user-api-key"])),
    ("notion-api-token", Ids(&["notion.integration-token"])),
    ("npm-access-token", Ids(&["npm.access-token"])),
    ("nuget-config-password", Nothing),
    ("nytimes-access-token", Generic),
    ("octopus-deploy-api-key", Nothing),
    ("okta-access-token", Ids(&["okta.api-token"])),
    (
        "openai-api-key",
        Ids(&[
            "openai.project-key",
            "openai.service-account-key",
            "openai.admin-key",
            "openai.legacy-api-key",
        ]),
    ),
    ("openshift-user-token", Nothing),
    ("perplexity-api-key", Ids(&["perplexity.api-key"])),
    ("pkcs12-file", Nothing),
    ("plaid-api-token", Ids(&["plaid.access-token"])),
    ("plaid-client-id", Generic),
    ("plaid-secret-key", Ids(&["plaid.secret"])),
    ("planetscale-api-token", Ids(&["planetscale.service-token"])),
    ("planetscale-oauth-token", Ids(&["planetscale.oauth-token"])),
    ("planetscale-password", Ids(&["planetscale.password"])),
    ("postman-api-token", Ids(&["postman.api-key"])),
    ("prefect-api-token", Ids(&["prefect.api-key"])),
    (
        "private-key",
        Ids(&[
            "private-key.rsa",
            "private-key.ec",
            "private-key.dsa",
            "private-key.pkcs8",
            "private-key.pkcs8-encrypted",
            "private-key.openssh",
            "private-key.pgp",
            "private-key.pem-escaped",
            "google.gcp-service-account-key",
        ]),
    ),
    ("privateai-api-token", Nothing),
    ("pulumi-api-token", Ids(&["pulumi.access-token"])),
    ("pypi-upload-token", Ids(&["pypi.upload-token"])),
    ("rapidapi-access-token", Generic),
    ("readme-api-token", Nothing),
    ("rubygems-api-token", Ids(&["rubygems.api-key"])),
    ("scalingo-api-token", Nothing),
    ("sendbird-access-id", Generic),
    ("sendbird-access-token", Generic),
    ("sendgrid-api-token", Ids(&["sendgrid.api-key"])),
    ("sendinblue-api-token", Ids(&["brevo.api-key"])),
    ("sentry-access-token", Ids(&["sentry.legacy-auth-token"])),
    ("sentry-org-token", Ids(&["sentry.org-auth-token"])),
    ("sentry-user-token", Ids(&["sentry.user-auth-token"])),
    ("settlemint-application-access-token", Nothing),
    ("settlemint-personal-access-token", Nothing),
    ("settlemint-service-access-token", Nothing),
    ("shippo-api-token", Nothing),
    ("shopify-access-token", Ids(&["shopify.access-token"])),
    (
        "shopify-custom-access-token",
        Ids(&["shopify.custom-app-token"]),
    ),
    (
        "shopify-private-app-access-token",
        Ids(&["shopify.private-app-token"]),
    ),
    ("shopify-shared-secret", Ids(&["shopify.shared-secret"])),
    ("sidekiq-secret", Nothing),
    (
        "sidekiq-sensitive-url",
        Ids(&["connection-string.url-password"]),
    ),
    ("slack-app-token", Ids(&["slack.app-token"])),
    ("slack-bot-token", Ids(&["slack.bot-token"])),
    (
        "slack-config-access-token",
        Ids(&["slack.config-access-token"]),
    ),
    (
        "slack-config-refresh-token",
        Ids(&["slack.config-refresh-token"]),
    ),
    ("slack-legacy-bot-token", Ids(&["slack.bot-token"])),
    ("slack-legacy-token", Nothing),
    (
        "slack-legacy-workspace-token",
        Ids(&["slack.legacy-workspace-token"]),
    ),
    ("slack-user-token", Ids(&["slack.user-token"])),
    ("slack-webhook-url", Ids(&["slack.webhook-url"])),
    ("snyk-api-token", Generic),
    ("sonar-api-token", Generic),
    ("sourcegraph-access-token", Nothing),
    (
        "square-access-token",
        Ids(&["square.access-token", "square.legacy-access-token"]),
    ),
    ("squarespace-access-token", Generic),
    (
        "stripe-access-token",
        Ids(&[
            "stripe.secret-key",
            "stripe.restricted-key",
            "stripe.test-secret-key",
            "stripe.restricted-test-key",
        ]),
    ),
    ("sumologic-access-id", Generic),
    ("sumologic-access-token", Ids(&["sumologic.access-key"])),
    ("telegram-bot-api-token", Ids(&["telegram.bot-token"])),
    ("travisci-access-token", Ids(&["travis.api-token"])),
    ("twilio-api-key", Ids(&["twilio.api-key"])),
    ("twitch-api-token", Generic),
    ("twitter-access-secret", Generic),
    ("twitter-access-token", Generic),
    ("twitter-api-key", Generic),
    ("twitter-api-secret", Generic),
    ("twitter-bearer-token", Generic),
    ("typeform-api-token", Ids(&["typeform.pat"])),
    ("vault-batch-token", Ids(&["vault.batch-token"])),
    (
        "vault-service-token",
        Ids(&["vault.service-token", "vault.legacy-token"]),
    ),
    ("yandex-access-token", Generic),
    ("yandex-api-key", Generic),
    ("yandex-aws-access-token", Generic),
    ("zendesk-secret-key", Ids(&["zendesk.api-token"])),
];

/// The row of a Gitleaks default rule id (exact, as Gitleaks' ids are).
pub fn lookup(gitleaks_id: &str) -> Option<Target> {
    TABLE
        .binary_search_by(|(id, _)| (*id).cmp(gitleaks_id))
        .ok()
        .map(|i| TABLE[i].1)
}

impl Target {
    /// Every leaktrap id this target names.
    pub fn ids(self) -> Vec<&'static str> {
        match self {
            Ids(ids) => ids.to_vec(),
            Generic => GENERIC.to_vec(),
            GenericAnd(ids) => GENERIC.iter().chain(ids).copied().collect(),
            Nothing => Vec::new(),
        }
    }
}

/// Whether Gitleaks' default rule `gitleaks_id` covers what leaktrap's
/// built-in rule `leaktrap_id` finds.
pub fn covers(gitleaks_id: &str, leaktrap_id: &str) -> bool {
    lookup(gitleaks_id).is_some_and(|t| t.ids().contains(&leaktrap_id))
}

/// The table as docs/migrating.md shows it (between its
/// `<!-- gitleaks-ids -->` markers).
pub fn markdown() -> String {
    let code = |ids: &[&str]| {
        ids.iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from("| Gitleaks default rule | leaktrap built-in rules |\n|---|---|\n");
    for (id, t) in TABLE {
        let cell = match t {
            Ids(ids) => code(ids),
            GenericAnd(ids) => format!("{}, generic assignment rules", code(ids)),
            Generic | Nothing => continue,
        };
        out.push_str(&format!("| `{id}` | {cell} |\n"));
    }
    let list = |want: fn(&Target) -> bool| {
        TABLE
            .iter()
            .filter(|(_, t)| want(t))
            .map(|(id, _)| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&format!(
        "\n**Mapped to leaktrap's generic assignment rules** ({}), which find a value \
         assigned to a key named like an API key, secret, token or password: {}.\n",
        code(GENERIC),
        list(|t| *t == Generic)
    ));
    out.push_str(&format!(
        "\n**No leaktrap rule** finds these formats, so an entry naming them suppresses \
         nothing (with a warning): {}.\n",
        list(|t| *t == Nothing)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in TABLE.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        assert_eq!(
            TABLE.len(),
            222,
            "Gitleaks 8.30's default config has 222 rules"
        );
    }

    #[test]
    fn every_mapped_id_is_a_builtin_rule() {
        let builtin: std::collections::HashSet<String> = crate::builtin_rules()
            .unwrap()
            .into_iter()
            .map(|r| r.def.id)
            .collect();
        for (gl, t) in TABLE {
            for id in t.ids() {
                assert!(
                    builtin.contains(id),
                    "{gl} maps to {id}, not a built-in rule"
                );
            }
        }
    }

    #[test]
    fn lookup_and_covers() {
        assert!(covers("github-pat", "github.pat-classic"));
        assert!(covers("generic-api-key", "generic.api-key-assignment"));
        assert!(!covers("github-pat", "github.oauth-token"));
        assert_eq!(lookup("pkcs12-file"), Some(Target::None));
        assert_eq!(lookup("github.pat-classic"), None);
    }

    #[test]
    fn docs_show_the_table() {
        let doc = include_str!("../../../docs/migrating.md");
        let start = "<!-- gitleaks-ids -->\n";
        let end = "<!-- /gitleaks-ids -->";
        let a = doc
            .find(start)
            .expect("docs/migrating.md has the table's markers")
            + start.len();
        let b = doc[a..].find(end).expect("closing marker") + a;
        assert_eq!(
            &doc[a..b],
            markdown(),
            "docs/migrating.md's Gitleaks id table is out of date: paste \
             leaktrap_rules::gitleaks_ids::markdown()"
        );
    }
}
