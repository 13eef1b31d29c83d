//! The bodies of an exchange through which a wallet takes one of a learner's credentials: the
//! device's request for one (ours), then what the wallet and the hub say to each other, in the
//! shapes W3C VCALM (the Verifiable Credentials API for Lifecycle Management) gives them, so
//! the Learner Credential Wallet and other VC-API wallets speak it unchanged.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /v1/exchanges` (a bound device): an exchange for one of its learner's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletExchangeRequest {
    /// The credential's id (`urn:uuid:…`), as the hub issued it to the learner.
    pub credential: String,
}

/// The answer to `POST /v1/exchanges`: where a wallet begins, once, before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletExchangeResponse {
    /// The interaction URL (`…/v1/interactions/<id>?iuv=1`), shown as a QR code or a link.
    pub interaction_url: String,
    /// Seconds until the exchange expires.
    pub expires_in: u64,
}

/// The answer to `GET` an interaction URL with `Accept: application/json`: the protocols a
/// wallet may go on with (VCALM, "Interaction Protocols Response").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionProtocols {
    /// Protocol names and the URL of each.
    pub protocols: Protocols,
}

/// The protocols of an interaction: the VC-API exchange only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protocols {
    /// The exchange's URL, where the wallet posts its messages.
    pub vcapi: String,
}

/// What a wallet posts to an exchange: `{}` to begin, then its presentation. Other fields are
/// refused rather than ignored, as VCALM expects of an exchange that does not know them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeMessage {
    /// The wallet's DID authentication, in answer to the hub's request.
    #[serde(
        rename = "verifiablePresentation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub verifiable_presentation: Option<Value>,
}

/// What the hub answers a wallet: a request for its DID authentication, or the credential.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExchangeReply {
    /// What the hub asks of the wallet next.
    #[serde(
        rename = "verifiablePresentationRequest",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub verifiable_presentation_request: Option<PresentationRequest>,
    /// A presentation (unsigned) holding the credential issued to the wallet.
    #[serde(
        rename = "verifiablePresentation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub verifiable_presentation: Option<Value>,
}

/// A Verifiable Presentation Request for a DID authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationRequest {
    /// What is asked: one `DIDAuthentication` query.
    pub query: Vec<DidAuthQuery>,
    /// A random challenge the wallet signs, once.
    pub challenge: String,
    /// The hub's origin, which the wallet signs too.
    pub domain: String,
    /// Where to answer.
    pub interact: Interact,
}

/// A `DIDAuthentication` query: the DID methods and proofs the hub accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DidAuthQuery {
    /// `DIDAuthentication`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `[{"method": "key"}]`.
    #[serde(rename = "acceptedMethods")]
    pub accepted_methods: Vec<AcceptedMethod>,
    /// `eddsa-rdfc-2022`, and `Ed25519Signature2020` (VCALM's name for the legacy suite).
    #[serde(rename = "acceptedCryptosuites")]
    pub accepted_cryptosuites: Vec<AcceptedCryptosuite>,
}

/// A DID method a query accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedMethod {
    /// Its name (`key`).
    pub method: String,
}

/// A proof suite a query accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedCryptosuite {
    /// Its name.
    pub cryptosuite: String,
}

/// Where a wallet answers a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interact {
    /// The one service: this exchange.
    pub service: Vec<InteractService>,
}

/// A service that takes a wallet's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractService {
    /// `VerifiableCredentialApiExchangeService`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The exchange's URL.
    #[serde(rename = "serviceEndpoint")]
    pub service_endpoint: String,
}

impl PresentationRequest {
    /// The request for a DID authentication by an Ed25519 `did:key`, to be answered at
    /// `exchange_url`.
    pub fn did_authentication(challenge: String, domain: String, exchange_url: String) -> Self {
        Self {
            query: vec![DidAuthQuery {
                kind: "DIDAuthentication".into(),
                accepted_methods: vec![AcceptedMethod {
                    method: "key".into(),
                }],
                accepted_cryptosuites: ["eddsa-rdfc-2022", "Ed25519Signature2020"]
                    .into_iter()
                    .map(|suite| AcceptedCryptosuite {
                        cryptosuite: suite.into(),
                    })
                    .collect(),
            }],
            challenge,
            domain,
            interact: Interact {
                service: vec![InteractService {
                    kind: "VerifiableCredentialApiExchangeService".into(),
                    service_endpoint: exchange_url,
                }],
            },
        }
    }
}
