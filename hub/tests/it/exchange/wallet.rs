//! A scripted wallet that behaves as the Learner Credential Wallet does in a VC-API exchange
//! (W3C VCALM): it reads an interaction URL with `Accept: application/json`, posts `{}` to the
//! `vcapi` exchange, answers the DID authentication request with a presentation its own
//! `did:key` signs, and takes the credential out of the presentation it gets back.
//!
//! The proof is written here from its definitions, not with the hub's verifier: an
//! `Ed25519Signature2020` proof (jsonld-signatures' LinkedDataSignature, which the wallet's
//! libraries use) and a Data Integrity `eddsa-rdfc-2022` proof both sign SHA-256 of the
//! canonical proof options (the proof without `proofValue`, under the presentation's
//! `@context`) followed by SHA-256 of the canonical presentation without its proof, and write
//! the signature as multibase base58btc. A test holds its output to what the wallet's
//! libraries sign, byte for byte (`core/src/credential/examples/didauth-*.json`).

use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use skillpack_core::credential::rdfc::canonical_nquads;
use skillpack_core::credential::{Contexts, CREDENTIALS_V2, ED25519_SIGNATURE_2020_V1};
use skillpack_core::keys::SecretKey;

/// How the wallet signs its DID authentication.
#[derive(Debug, Clone, Copy)]
pub enum Suite {
    /// `Ed25519Signature2020`, as the Learner Credential Wallet signs.
    Ed25519Signature2020,
    /// `DataIntegrityProof` with `eddsa-rdfc-2022`.
    EddsaRdfc2022,
}

/// A wallet with one `did:key`.
pub struct Wallet {
    key: SecretKey,
    http: Client,
}

impl Wallet {
    /// A wallet whose key comes from `seed`.
    pub fn new(seed: [u8; 32]) -> Self {
        Self {
            key: SecretKey::from_seed(&seed),
            http: Client::new(),
        }
    }

    /// Its DID.
    pub fn did(&self) -> String {
        self.key.public_key().to_did_key()
    }

    /// `GET` an interaction URL as a wallet does.
    pub fn read_interaction(&self, interaction_url: &str) -> Response {
        self.http
            .get(interaction_url)
            .header("accept", "application/json")
            .send()
            .unwrap()
    }

    /// Posts a message (`{}`, or `{"verifiablePresentation": …}`) to an exchange.
    pub fn post(&self, exchange_url: &str, message: &Value) -> Response {
        self.http
            .post(exchange_url)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(message).unwrap())
            .send()
            .unwrap()
    }

    /// A DID authentication over `challenge` and `domain`, signed at `created`.
    pub fn did_authentication(
        &self,
        suite: Suite,
        challenge: &str,
        domain: &str,
        created: &str,
    ) -> Value {
        self.sign_as(&self.key, suite, challenge, domain, created)
    }

    /// The same, but the proof made by `signer` while the presentation names this wallet's
    /// DID as its holder (what a wallet that stole a DID would have to do).
    pub fn sign_as(
        &self,
        signer: &SecretKey,
        suite: Suite,
        challenge: &str,
        domain: &str,
        created: &str,
    ) -> Value {
        let context = match suite {
            Suite::Ed25519Signature2020 => json!([CREDENTIALS_V2, ED25519_SIGNATURE_2020_V1]),
            Suite::EddsaRdfc2022 => json!([CREDENTIALS_V2]),
        };
        let mut presentation = json!({
            "@context": context,
            "type": ["VerifiablePresentation"],
            "holder": self.did(),
        });
        let mut proof = match suite {
            Suite::Ed25519Signature2020 => json!({"type": "Ed25519Signature2020"}),
            Suite::EddsaRdfc2022 => {
                json!({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"})
            }
        };
        proof["created"] = json!(created);
        proof["verificationMethod"] = json!(signer.public_key().to_verification_method());
        proof["proofPurpose"] = json!("authentication");
        proof["challenge"] = json!(challenge);
        proof["domain"] = json!(domain);
        let mut options = proof.clone();
        options["@context"] = presentation["@context"].clone();
        let mut signed = Vec::with_capacity(64);
        signed.extend_from_slice(&canonical_hash(&options));
        signed.extend_from_slice(&canonical_hash(&presentation));
        let signature = signer.sign(&signed);
        proof["proofValue"] = json!(format!("z{}", bs58::encode(signature).into_string()));
        presentation["proof"] = proof;
        presentation
    }

    /// The whole exchange from an interaction URL, as the wallet app runs it: the credential
    /// the hub issued to this wallet's DID.
    pub fn take(&self, interaction_url: &str, suite: Suite) -> Value {
        let protocols: Value = self.read_interaction(interaction_url).json().unwrap();
        let exchange = protocols["protocols"]["vcapi"].as_str().unwrap().to_owned();
        let request: Value = self.post(&exchange, &json!({})).json().unwrap();
        let request = &request["verifiablePresentationRequest"];
        assert_eq!(
            request["query"][0]["type"], "DIDAuthentication",
            "{request}"
        );
        // The wallet answers where the request says (the Learner Credential Wallet's older
        // releases), which is the exchange itself.
        let answer_at = request["interact"]["service"][0]["serviceEndpoint"]
            .as_str()
            .unwrap();
        assert_eq!(answer_at, exchange);
        let presentation = self.did_authentication(
            suite,
            request["challenge"].as_str().unwrap(),
            request["domain"].as_str().unwrap(),
            &now(),
        );
        let response = self.post(
            answer_at,
            &json!({ "verifiablePresentation": presentation }),
        );
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let answer: Value = response.json().unwrap();
        answer["verifiablePresentation"]["verifiableCredential"][0].clone()
    }
}

/// SHA-256 of a document's canonical N-Quads (RDFC-1.0).
fn canonical_hash(document: &Value) -> [u8; 32] {
    let mut sha = Sha256::new();
    for line in canonical_nquads(document, Contexts::bundled()).unwrap() {
        sha.update(line.as_bytes());
    }
    sha.finalize().into()
}

/// Now, as jsonld-signatures writes `created` (seconds, `Z`).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
