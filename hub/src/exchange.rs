//! Handing a learner's credential to the wallet they use (W3C VCALM exchanges, the protocol of
//! the Learner Credential Wallet and other VC-API wallets). A trainer on the learner's page, or
//! the learner's own device, opens an exchange for one of the learner's credentials: an
//! unguessable id, used once, for ten minutes. Its interaction URL (shown as a QR code) tells a
//! wallet where the exchange is; the exchange asks the wallet to authenticate as its DID over a
//! fresh challenge and the hub's domain, then issues the same award to that DID
//! (`issue::issue_to_wallet`) and answers with it. Whoever holds the URL can take the
//! credential into their own wallet, which is why it is short-lived and used once.

use std::time::Duration;

use skillpack_core::credential::presentation::{
    verify_did_authentication, DidAuthRequest, PresentationError,
};
use skillpack_core::credential::Contexts;
use skillpack_core::hex;
use skillpack_core::protocol::{
    endpoint, ExchangeMessage, ExchangeReply, InteractionProtocols, PresentationRequest, Protocols,
};

use crate::error::HubError;
use crate::storage::{random_bytes, ExchangeCompletion, ExchangeRow, HubDb, NewExchange};

/// How long an exchange stays open: enough to open a wallet and scan, short enough that a
/// QR code photographed over a shoulder is soon worth nothing.
pub const EXCHANGE_TTL: Duration = Duration::from_secs(600);

/// An exchange, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedExchange {
    /// Its interaction URL (`…/v1/interactions/<id>?iuv=1`), for a QR code or a link.
    pub interaction_url: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// Why no exchange was opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenRefusal {
    /// The learner has no such credential from this hub.
    #[error("the learner has no credential {0} from this hub")]
    NoSuchCredential(String),
    /// It was revoked.
    #[error("credential {0} was revoked; it is not handed on")]
    Revoked(String),
    /// It is a copy already in a wallet: a wallet takes the learner's own.
    #[error("credential {0} is a copy in a wallet; open an exchange for the learner's own")]
    WalletCopy(String),
}

impl OpenRefusal {
    /// The stable code of the refusal, for clients to act on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoSuchCredential(_) => "no_such_credential",
            Self::Revoked(_) => "revoked",
            Self::WalletCopy(_) => "wallet_copy",
        }
    }
}

/// Why a wallet's message was refused.
#[derive(Debug, thiserror::Error)]
pub enum StepRefusal {
    /// No such exchange (or one long gone).
    #[error("there is no such exchange; ask for a new one")]
    NoSuchExchange,
    /// A wallet took its credential already.
    #[error("this exchange was used already; ask for a new one")]
    Used,
    /// It expired.
    #[error("this exchange expired; ask for a new one")]
    Expired,
    /// The learner's credential was revoked.
    #[error("the credential of this exchange was revoked")]
    Revoked,
    /// The wallet's DID authentication did not check out.
    #[error("the DID authentication was refused: {0}")]
    NotAuthenticated(#[from] PresentationError),
}

impl StepRefusal {
    /// The stable code of the refusal, for clients to act on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoSuchExchange => "no_such_exchange",
            Self::Used => "exchange_used",
            Self::Expired => "exchange_expired",
            Self::Revoked => "revoked",
            Self::NotAuthenticated(why) => match why {
                PresentationError::WrongChallenge => "wrong_challenge",
                PresentationError::WrongDomain { .. } => "wrong_domain",
                PresentationError::NotHolder(_) => "not_holders_key",
                PresentationError::BadSignature => "bad_proof",
                PresentationError::UnsupportedHolder(_)
                | PresentationError::UnsupportedProof(_) => "unsupported_proof",
                // A DID authentication carries no credentials: these two never come from one.
                PresentationError::Malformed(_)
                | PresentationError::Credential(_)
                | PresentationError::NotTheHoldersCredential { .. }
                | PresentationError::CredentialRefused { .. } => "bad_presentation",
            },
        }
    }
}

/// Opens an exchange for the credential `credential` (its id) of `learner`, asked for by
/// `asked_by` (a trainer's name, or the learner's device), with an entry in the audit trail.
pub async fn open(
    db: &HubDb,
    learner: &str,
    credential: &str,
    asked_by: String,
) -> Result<Result<OpenedExchange, OpenRefusal>, HubError> {
    let issued = db.issued_credentials(Some(learner)).await?;
    let Some(row) = issued.into_iter().find(|c| c.id == credential) else {
        return Ok(Err(OpenRefusal::NoSuchCredential(credential.to_owned())));
    };
    if row.copy_of.is_some() {
        return Ok(Err(OpenRefusal::WalletCopy(row.id)));
    }
    if row.revoked_at.is_some() {
        return Ok(Err(OpenRefusal::Revoked(row.id)));
    }
    let issuer = db
        .issuer(row.issuer)
        .await?
        .ok_or_else(|| HubError::Damaged(format!("the issuer of credential {}", row.id)))?;
    // The hub as the credential names it (its status list's): where verifiers reach it.
    let hub_url = issuer
        .status_list
        .strip_suffix(&endpoint::status_list(issuer.id))
        .ok_or_else(|| HubError::Damaged(format!("issuer {}'s status list URL", issuer.id)))?
        .to_owned();
    let id = hex::encode(&random_bytes::<16>()?);
    let expires_in = EXCHANGE_TTL.as_secs();
    let now = chrono::Utc::now().timestamp();
    db.open_exchange(NewExchange {
        id: id.clone(),
        credential: row.number,
        credential_id: row.id,
        challenge: hex::encode(&random_bytes::<16>()?),
        hub_url: hub_url.clone(),
        asked_by,
        expires_at: now + i64::try_from(expires_in).unwrap_or(i64::MAX / 2),
    })
    .await?;
    Ok(Ok(OpenedExchange {
        interaction_url: format!("{hub_url}{}", endpoint::interaction(&id)),
        expires_in,
    }))
}

/// What a wallet finds at exchange `id`'s interaction URL: the exchange's URL.
pub async fn protocols(
    db: &HubDb,
    id: &str,
) -> Result<Result<InteractionProtocols, StepRefusal>, HubError> {
    Ok(usable(db, id).await?.map(|exchange| InteractionProtocols {
        protocols: Protocols {
            vcapi: exchange_url(&exchange, id),
        },
    }))
}

/// Answers a wallet's message to exchange `id`: `{}` gets the request for its DID
/// authentication; its presentation, once it checks out, gets the credential issued to its
/// DID. Only the first wallet to authenticate gets one; the exchange is then used up.
pub async fn step(
    db: &HubDb,
    id: &str,
    message: ExchangeMessage,
) -> Result<Result<ExchangeReply, StepRefusal>, HubError> {
    let exchange = match usable(db, id).await? {
        Ok(exchange) => exchange,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let domain = origin(&exchange.hub_url).to_owned();
    let Some(presentation) = message.verifiable_presentation else {
        return Ok(Ok(ExchangeReply {
            verifiable_presentation_request: Some(PresentationRequest::did_authentication(
                exchange.challenge.clone(),
                domain,
                exchange_url(&exchange, id),
            )),
            verifiable_presentation: None,
        }));
    };
    let challenge = exchange.challenge.clone();
    // Canonicalisation takes milliseconds: off the async threads.
    let checked = tokio::task::spawn_blocking(move || {
        verify_did_authentication(
            &presentation,
            DidAuthRequest {
                challenge: &challenge,
                domain: &domain,
            },
            Contexts::bundled(),
        )
    })
    .await
    .map_err(|e| HubError::Task(e.to_string()))?;
    let wallet = match checked {
        Ok(authenticated) => authenticated.holder,
        Err(why) => return Ok(Err(why.into())),
    };
    Ok(
        match crate::issue::issue_to_wallet(db, id, &exchange, &wallet).await? {
            Ok(credential) => Ok(ExchangeReply {
                verifiable_presentation_request: None,
                verifiable_presentation: Some(serde_json::json!({
                    "@context": [skillpack_core::credential::CREDENTIALS_V2],
                    "type": ["VerifiablePresentation"],
                    "verifiableCredential": [credential],
                })),
            }),
            Err(completion) => Err(refusal_of(completion)),
        },
    )
}

/// Exchange `id`, while a wallet may still use it.
async fn usable(db: &HubDb, id: &str) -> Result<Result<ExchangeRow, StepRefusal>, HubError> {
    let Some(exchange) = db.exchange(id).await? else {
        return Ok(Err(StepRefusal::NoSuchExchange));
    };
    Ok(if exchange.used {
        Err(StepRefusal::Used)
    } else if exchange.expires_at <= chrono::Utc::now().timestamp() {
        Err(StepRefusal::Expired)
    } else if exchange.revoked {
        Err(StepRefusal::Revoked)
    } else {
        Ok(exchange)
    })
}

/// Why an exchange that was open a moment ago did not complete.
fn refusal_of(completion: ExchangeCompletion) -> StepRefusal {
    match completion {
        ExchangeCompletion::Used => StepRefusal::Used,
        ExchangeCompletion::Expired => StepRefusal::Expired,
        ExchangeCompletion::Revoked => StepRefusal::Revoked,
        // Issued and IndexTaken do not come back from `issue_to_wallet` as refusals.
        ExchangeCompletion::Unknown
        | ExchangeCompletion::Issued(_)
        | ExchangeCompletion::IndexTaken => StepRefusal::NoSuchExchange,
    }
}

/// The URL where a wallet posts its messages to exchange `id`.
fn exchange_url(exchange: &ExchangeRow, id: &str) -> String {
    format!("{}{}", exchange.hub_url, endpoint::exchange(id))
}

/// The origin of a URL (`https://hub.example` of `https://hub.example/skillpack`): the domain
/// a wallet's DID authentication is bound to.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_is_the_origin_of_the_hub_url() {
        assert_eq!(origin("https://hub.example"), "https://hub.example");
        assert_eq!(
            origin("https://hub.example/skillpack"),
            "https://hub.example"
        );
        assert_eq!(origin("http://127.0.0.1:8080/a/b"), "http://127.0.0.1:8080");
    }
}
