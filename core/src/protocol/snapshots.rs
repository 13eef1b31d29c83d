//! A snapshot of every body that crosses the network, as JSON: the files in `snapshots/` are
//! the wire, and a change to one is a protocol change to review (and perhaps a new protocol
//! version in `version.rs`). `cargo insta review` shows the difference.

use super::*;
use crate::keys::SecretKey;
use crate::ledger::{DeviceBinding, Enrolment, RelayBundle};
use crate::testing::record_chain;

fn record() -> crate::ledger::SignedRecord {
    record_chain(&SecretKey::from_seed(&[7; 32]), "did:key:z6MkLearner", 1).remove(0)
}

#[test]
fn nonce_and_errors() {
    insta::assert_json_snapshot!(NonceResponse {
        nonce: "00112233445566778899aabbccddeeff".into(),
        expires_in: 300,
    });
    insta::assert_json_snapshot!(ErrorResponse {
        error: ErrorBody {
            code: "bad_nonce".into(),
            message: "the nonce was already used".into(),
        },
    });
}

#[test]
fn publishing_and_the_catalog() {
    insta::assert_json_snapshot!(PublishResponse {
        id: "safe-riding".into(),
        version: "1.2.0".into(),
        hash: "ab".repeat(32),
        group: "riders".into(),
        created: true,
        offered: true,
    });
    insta::assert_json_snapshot!(CatalogResponse {
        group: "riders".into(),
        packs: vec![CatalogEntry {
            id: "safe-riding".into(),
            version: "1.2.0".into(),
            hash: "ab".repeat(32),
            size: 48_213,
            variant: "low".into(),
            publisher: SecretKey::from_seed(&[1; 32]).public_key().to_did_key(),
            modules: vec!["safe-riding".into()],
        }],
    });
}

#[test]
fn registering_and_pushing_records() {
    let device = SecretKey::from_seed(&[5; 32]);
    let learner = SecretKey::from_seed(&[6; 32]);
    insta::assert_json_snapshot!(crate::testing::register_request(
        &device,
        &learner,
        "ABCD-EFGH-JKLM"
    ));
    insta::assert_json_snapshot!(RegisterResponse {
        group: "riders".into()
    });
    insta::assert_json_snapshot!(PushRequest {
        records: vec![record()],
        name: None,
        grants_after: Some(1),
    });
    let publisher = SecretKey::from_seed(&[7; 32]);
    let grant = crate::ledger::AttemptGrant::sign(
        crate::ledger::GrantTerms {
            id: "0123456789abcdef0123456789abcdef".into(),
            learner: learner.public_key().to_did_key(),
            publisher: publisher.public_key().to_did_key(),
            module: "safe-riding".into(),
            attempts: 1,
            granted_by: "Amina Njeri".into(),
            granted_at: "2026-11-25T09:30:00Z".into(),
            signer: String::new(),
        },
        &publisher,
        None,
    )
    .expect("a grant");
    insta::assert_json_snapshot!(PushResponse {
        results: vec![
            RecordResult {
                id: "a".into(),
                status: RecordStatus::Accepted,
                note: Some("gap".into()),
            },
            RecordResult {
                id: "b".into(),
                status: RecordStatus::Duplicate,
                note: None,
            },
            RecordResult {
                id: "c".into(),
                status: RecordStatus::Rejected,
                note: Some("signed by another device than the one pushing it".into()),
            },
        ],
        held: Some(HeldRecords {
            count: 41,
            last_seq: Some(42),
        }),
        group: Some("riders".into()),
        credentials: Some(3),
        grants: vec![crate::protocol::NumberedGrant { number: 2, grant }],
        history: Some(2),
    });
    insta::assert_json_snapshot!(CredentialsRequest { after: 2 });
    let issuer = SecretKey::from_seed(&[8; 32]).public_key();
    insta::assert_json_snapshot!(CredentialsResponse {
        credentials: vec![IssuedCredential {
            number: 3,
            credential: serde_json::json!({"id": "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d10"}),
        }],
        endorsements: vec![
            crate::credential::IssuerEndorsement::sign(&publisher, &issuer).expect("signs")
        ],
        more: false,
    });
}

#[test]
fn a_wallet_exchange() {
    use crate::protocol::{
        ExchangeMessage, ExchangeReply, InteractionProtocols, PresentationRequest, Protocols,
        WalletExchangeRequest, WalletExchangeResponse,
    };
    insta::assert_json_snapshot!(WalletExchangeRequest {
        credential: "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d10".into(),
    });
    insta::assert_json_snapshot!(WalletExchangeResponse {
        interaction_url: "https://hub.example/v1/interactions/5f1c?iuv=1".into(),
        expires_in: 600,
    });
    insta::assert_json_snapshot!(InteractionProtocols {
        protocols: Protocols {
            vcapi: "https://hub.example/v1/exchanges/5f1c".into(),
        },
    });
    insta::assert_json_snapshot!(ExchangeReply {
        verifiable_presentation_request: Some(PresentationRequest::did_authentication(
            "6c1f0c1a2b3d4e5f60718293a4b5c6d7".into(),
            "https://hub.example".into(),
            "https://hub.example/v1/exchanges/5f1c".into(),
        )),
        verifiable_presentation: None,
    });
    insta::assert_json_snapshot!(ExchangeMessage {
        verifiable_presentation: Some(serde_json::json!({"type": ["VerifiablePresentation"]})),
    });
}

#[test]
fn revocations_and_their_reasons() {
    insta::assert_json_snapshot!(RevocationsRequest {});
    insta::assert_json_snapshot!(RevocationsResponse {
        revocations: vec![RevocationNotice {
            id: "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d10".into(),
            reason: "the assessment was taken by someone else".into(),
            revoked_at: "2026-12-01T08:15:00Z".into(),
        }],
    });
}

#[test]
fn a_relay_bundle() {
    let device = SecretKey::from_seed(&[5; 32]);
    let learner = SecretKey::from_seed(&[6; 32]);
    let learner_did = learner.public_key().to_did_key();
    let bundle = RelayBundle::new(
        DeviceBinding::sign(&learner, &device.public_key()).expect("binds"),
        Some(Enrolment::sign(&device, &learner_did, "ABCD-EFGH-JKLM").expect("enrols")),
        crate::testing::record_chain(&device, &learner_did, 1),
    );
    insta::assert_json_snapshot!(bundle);
}

#[test]
fn signature_headers() {
    let key = SecretKey::from_seed(&[8; 32]);
    let target = endpoint::publish("riders");
    let parts = RequestParts::new("POST", &target, b"pack bytes");
    let headers = sign_request(
        &parts,
        &key,
        "00112233445566778899aabbccddeeff",
        1_800_000_000,
    );
    insta::assert_debug_snapshot!(headers.pairs());
}

#[test]
fn a_restored_phones_history() {
    use crate::ledger::DeviceBinding;
    use crate::protocol::{HistoryRecord, HistoryRequest, HistoryResponse};
    let (device, learner) = (
        SecretKey::from_seed(&[11; 32]),
        SecretKey::from_seed(&[12; 32]),
    );
    let record =
        crate::testing::record_chain(&device, &learner.public_key().to_did_key(), 1).remove(0);
    insta::assert_json_snapshot!(HistoryRequest {
        after: Some(record.record.id.clone()),
    });
    insta::assert_json_snapshot!(HistoryResponse {
        records: vec![HistoryRecord {
            binding: DeviceBinding::sign(&learner, &device.public_key()).expect("binds"),
            record,
        }],
        more: false,
    });
}
