//! Cases of the storage conformance suite for exchanges into a learner's wallet: opened with
//! an audit entry, completed by one wallet only and never after they expire or the learner's
//! credential is revoked; the copy a wallet takes is not the device's to fetch, and revoking
//! the learner's credential revokes it.

use skillpack_core::testing::publisher_key;
use skillpack_hub::storage::{
    CredentialInsert, CredentialRevocation, ExchangeCompletion, IssuerChange, IssuerRow,
    NewCredential, NewExchange, WalletCopy,
};

use super::{learner, registered};
use crate::storage::Fresh;

pub async fn an_exchange_issues_to_one_wallet_once_and_the_copy_goes_with_the_original(
    fresh: Fresh,
) {
    let db = fresh.open().await;
    let publisher = publisher_key().public_key();
    db.add_publisher(publisher, "fixture".into()).await.unwrap();
    let issuer = db
        .set_issuer(
            IssuerRow {
                id: 0,
                publisher,
                seed: [9; 32],
                profile: "{}".into(),
                endorsement: Some("{}".into()),
                endorsement_credential: None,
                status_list: "https://hub.example/v1/status/1".into(),
            },
            IssuerChange {
                by: "operator".into(),
                detail: "set up".into(),
            },
        )
        .await
        .unwrap();
    let (key, chain) = registered(&db, 91, 1).await;
    db.ingest(key.public_key(), chain.clone()).await.unwrap();
    let who = learner(91);
    let original_id = "urn:uuid:00000000-0000-4000-8000-000000000091";
    let CredentialInsert::Stored(original) = db
        .add_credential(NewCredential {
            id: original_id.into(),
            record_id: Some(chain[0].signed.record.id.clone()),
            learner: who.clone(),
            issuer,
            status_index: 1,
            body: "{\"n\":1}".into(),
            achievement: "urn:uuid:00000000-0000-8000-8000-000000000091".into(),
        })
        .await
        .unwrap()
    else {
        panic!("stored");
    };
    let now = chrono::Utc::now().timestamp();
    let open = |id: &str, expires_at: i64| NewExchange {
        id: id.into(),
        credential: original,
        credential_id: original_id.into(),
        challenge: "c".repeat(32),
        hub_url: "https://hub.example".into(),
        asked_by: "Wanjiru".into(),
        expires_at,
    };
    db.open_exchange(open("a", now + 600)).await.unwrap();
    db.open_exchange(open("late", now - 1)).await.unwrap();
    let found = db.exchange("a").await.unwrap().expect("opened");
    assert_eq!(
        (
            found.credential,
            found.learner.as_str(),
            found.used,
            found.revoked
        ),
        (original, who.as_str(), false, false)
    );
    assert_eq!(
        found.record_id.as_deref(),
        Some(chain[0].signed.record.id.as_str())
    );
    assert!(db.exchange("b").await.unwrap().is_none());

    let copy = |exchange: &str, n: u64, index: u64| WalletCopy {
        exchange: exchange.into(),
        id: format!("urn:uuid:00000000-0000-4000-8000-00000000010{n}"),
        wallet: format!("did:key:z6MkWallet{n}"),
        status_index: index,
        body: format!("{{\"copy\":{n}}}"),
    };
    assert_eq!(
        db.complete_exchange(copy("a", 1, 1)).await.unwrap(),
        ExchangeCompletion::IndexTaken
    );
    let ExchangeCompletion::Issued(number) = db.complete_exchange(copy("a", 2, 2)).await.unwrap()
    else {
        panic!("issued");
    };
    assert_eq!(
        db.complete_exchange(copy("a", 3, 3)).await.unwrap(),
        ExchangeCompletion::Used
    );
    assert_eq!(
        db.complete_exchange(copy("late", 4, 4)).await.unwrap(),
        ExchangeCompletion::Expired
    );
    assert_eq!(
        db.complete_exchange(copy("b", 5, 5)).await.unwrap(),
        ExchangeCompletion::Unknown
    );
    assert!(db.exchange("a").await.unwrap().expect("kept").used);

    // The copy is listed as the learner's, not handed to their device.
    let listed = db.issued_credentials(Some(&who)).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (
            listed[1].number,
            listed[1].copy_of,
            listed[1].wallet.as_deref()
        ),
        (number, Some(original), Some("did:key:z6MkWallet2"))
    );
    assert_eq!(db.credentials_after(&who, 0, 10).await.unwrap().len(), 1);
    assert_eq!(db.newest_credential(&who).await.unwrap(), Some(original));

    // Revoking the learner's credential revokes the copy, each audited; no exchange completes.
    db.open_exchange(open("c", now + 600)).await.unwrap();
    let revoked = db
        .revoke_credential(CredentialRevocation {
            id: original_id.into(),
            reason: "a mistake".into(),
            by: "Wanjiru".into(),
        })
        .await
        .unwrap();
    assert_eq!(revoked, Some(true));
    let mut bits = db.revoked_indexes(issuer).await.unwrap();
    bits.sort_unstable();
    assert_eq!(bits, vec![1, 2]);
    assert!(db.exchange("c").await.unwrap().expect("opened").revoked);
    assert_eq!(
        db.complete_exchange(copy("c", 6, 6)).await.unwrap(),
        ExchangeCompletion::Revoked
    );
    let audit = db.audit().await.unwrap();
    let count = |action: &str| audit.iter().filter(|a| a.action == action).count();
    assert_eq!(
        (
            count("open_wallet_exchange"),
            count("issue_to_wallet"),
            count("revoke_credential")
        ),
        (3, 1, 2)
    );
    assert!(audit.iter().any(|a| a.action == "issue_to_wallet"
        && a.actor == "did:key:z6MkWallet2"
        && a.detail.contains(original_id)));
}
