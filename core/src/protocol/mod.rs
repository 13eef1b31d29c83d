//! The wire between devices, trainers' tools and the hub: protocol versions, signed requests,
//! and the JSON bodies both sides exchange. The hub and the client both build on this module,
//! so they cannot drift apart.

mod answer;
pub mod endpoint;
mod exchange;
mod group;
mod join;
mod signing;
#[cfg(test)]
mod snapshots;
mod version;
mod wire;

pub use answer::{
    AnswerError, CarriedList, RelayAnswer, ANSWER_FORMAT, MAX_ANSWER_BYTES, MAX_ANSWER_CREDENTIALS,
    MAX_ANSWER_HISTORY, MAX_ANSWER_LISTS,
};
pub use exchange::{
    AcceptedCryptosuite, AcceptedMethod, DidAuthQuery, ExchangeMessage, ExchangeReply, Interact,
    InteractService, InteractionProtocols, PresentationRequest, Protocols, WalletExchangeRequest,
    WalletExchangeResponse,
};
pub use group::{GroupName, GroupNameError, MAX_GROUP_LEN};
pub use join::{JoinLink, JoinLinkError, JOIN_PREFIX, MAX_JOIN_LINK_LEN, MAX_JOIN_PUBLISHERS};
pub use signing::{
    content_digest, content_digest_of_sha256, sign_request, verify_request, verify_request_head,
    RequestParts, SignatureError, SignatureHeaders, Signer, CONTENT_DIGEST, SIGNATURE,
    SIGNATURE_INPUT,
};
pub use version::{API_PREFIX, PROTOCOL_V1, PROTOCOL_VERSION};
pub use wire::{
    catalog_tag, CatalogEntry, CatalogResponse, CredentialsRequest, CredentialsResponse, ErrorBody,
    ErrorResponse, HeldRecords, HistoryRecord, HistoryRequest, HistoryResponse, IssuedCredential,
    NonceResponse, NumberedGrant, PublishResponse, PushRequest, PushResponse, RecordResult,
    RecordStatus, RegisterRequest, RegisterResponse, RevocationNotice, RevocationsRequest,
    RevocationsResponse, MAX_CREDENTIALS_PER_ANSWER, MAX_GRANTS_PER_ANSWER, MAX_HISTORY_PER_ANSWER,
    MAX_REVOCATIONS_PER_ANSWER, MAX_REVOCATION_REASON_CHARS,
};
