//! RDF dataset canonicalisation (RDFC-1.0) of a JSON-LD document: what an `eddsa-rdfc-2022`
//! proof signs. Expansion is ssi-json-ld's (the json-ld crate), with undefined terms and
//! invalid values refused, so no field is silently dropped from what is signed; between it
//! and the canonicaliser, native booleans and numbers become RDF literals as the JSON-LD API
//! says (`credential::literal`). The canonical N-Quads are `credential::canon`'s RDFC-1.0,
//! whose costly step counts its work against a budget. In front of both, a guard on the
//! document's size and shape refuses cheaply what no credential is.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::Value;
use ssi_json_ld::{CompactJsonLd, Expandable};
use ssi_rdf::{AnyLdEnvironment, LdEnvironment};

use super::contexts::Contexts;
use super::endorsement_credential::MAX_ENDORSEMENTS;
use super::CredentialError;

/// Largest document canonicalised, as compact JSON: a credential is a few KB.
pub const MAX_DOCUMENT_LEN: usize = 64 * 1024;
/// Deepest nesting of JSON objects and arrays.
pub const MAX_DEPTH: usize = 16;
/// Most objects without an `id` (each a blank node) in one document.
pub const MAX_BLANK_NODES: usize = 128;
/// Most objects without an `id` in one array whose own plain values are alike: RDFC
/// tries every order of such a group (6! = 720 at most).
pub const MAX_ALIKE_SIBLINGS: usize = 6;

/// How a document's native booleans and numbers become RDF literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Literals {
    /// As the JSON-LD API says, and every other verifier writes them.
    JsonLdApi,
    /// As Skillpack's first releases wrote them (the json-ld crate's own way): only for
    /// checking credentials of the old form signed then (`credential::literal`).
    FirstReleases,
}

/// The canonical N-Quads of `document`, one line each (with its newline), sorted.
pub fn canonical_nquads(
    document: &Value,
    contexts: &Contexts,
) -> Result<Vec<String>, CredentialError> {
    canonical_nquads_with(document, contexts, Literals::JsonLdApi)
}

/// [`canonical_nquads`], with native values made literals the way `literals` says.
pub(super) fn canonical_nquads_with(
    document: &Value,
    contexts: &Contexts,
    literals: Literals,
) -> Result<Vec<String>, CredentialError> {
    // Numbers in the form RFC 8785 writes them (1.0 becomes 1), as a JSON-LD processor that
    // follows the specification reads them: the same graph whether the credential arrives
    // as issued, from a QR code or from the store, which keep it in canonical JSON.
    let json = crate::canonical::to_canonical_json(document)
        .map_err(|_| CredentialError::Malformed("the credential is not plain JSON".into()))?;
    if json.len() > MAX_DOCUMENT_LEN {
        return Err(CredentialError::TooLarge {
            what: "the document",
            value: json.len(),
            limit: MAX_DOCUMENT_LEN,
        });
    }
    let normal: Value = serde_json::from_slice(&json)
        .map_err(|_| CredentialError::Malformed("the credential is not plain JSON".into()))?;
    guard(&normal)?;
    let value = CompactJsonLd(json_syntax::Value::from_serde_json(normal));
    let mut ld = LdEnvironment::default();
    let expanded = run_now(value.expand_with(&mut ld, &contexts.loader))?
        .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
    refuse_invalid_ids(&expanded)?;
    let expanded = match literals {
        Literals::JsonLdApi => super::literal::with_rdf_literals(expanded),
        Literals::FirstReleases => expanded,
    };
    let quads = ld
        .quads_of(&expanded)
        .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
    super::canon::canonical_nquads_of(&quads).map_err(|_| CredentialError::TooCostly {
        limit: super::canon::MAX_CANONICALISATION_STEPS,
    })
}

/// Refuses what would make canonicalisation slow, or let the JSON a reader sees differ from
/// the graph the proof signs, before it starts (the size is bounded before this). A credential
/// keeps to a plain shape: its `@context` names bundled contexts by URL, and holds no inline
/// context but the one every Skillpack credential carries, exactly ([`super::elm_terms`]),
/// so no document can redefine a term a reader relies on; no other key is a JSON-LD keyword, a
/// compact or full IRI, or an alias; no string names a blank node; no list holds a list. So
/// each field is where a reader looks for it (no `@nest`, no full-IRI twin of `validUntil`),
/// and blank nodes form a tree of plain objects that [`check_alike`] can bound. One nested
/// `@context` is accepted: that of each of at most [`MAX_ENDORSEMENTS`] endorsements in
/// `issuer.endorsement`, which must be exactly the two published contexts an
/// `EndorsementCredential` names (ADR 0006), so it redefines nothing.
fn guard(document: &Value) -> Result<(), CredentialError> {
    let Value::Object(top) = document else {
        return Err(CredentialError::Malformed(
            "a credential is a JSON object".into(),
        ));
    };
    match top.get("@context") {
        Some(Value::String(_)) | None => {}
        Some(Value::Array(entries))
            if entries
                .iter()
                .all(|e| e.is_string() || e == super::contexts::elm_terms()) => {}
        Some(_) => {
            return Err(CredentialError::Malformed(
                "@context may only name contexts by URL, or be Skillpack's map to the \
                 European Learning Model"
                    .into(),
            ))
        }
    }
    let mut blank = 0;
    walk(document, Place::Top, 0, &mut blank)
}

/// Where in a credential the guard is: only an endorsement of the issuer, and a credential a
/// presentation carries, may hold a `@context` below the top.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The document itself.
    Top,
    /// The issuer's profile.
    Issuer,
    /// The issuer's list of endorsements.
    Endorsements,
    /// One endorsement of the issuer.
    Endorsement,
    /// A presentation's credentials: one credential, or a list of them.
    Presented,
    /// One credential a presentation carries, read as a document of its own.
    PresentedCredential,
    /// Anywhere else.
    Other,
}

impl Place {
    /// Where `key`, a member of an object here, leads.
    fn member(self, key: &str) -> Place {
        match (self, key) {
            (Place::Top | Place::Presented | Place::PresentedCredential, "issuer") => Place::Issuer,
            (Place::Top, "verifiableCredential") => Place::Presented,
            (Place::Issuer, "endorsement") => Place::Endorsements,
            _ => Place::Other,
        }
    }

    /// Where an item of an array here leads.
    fn item(self) -> Place {
        match self {
            Place::Endorsements => Place::Endorsement,
            Place::Presented => Place::PresentedCredential,
            _ => Place::Other,
        }
    }
}

/// Refuses an expanded document in which an `id`, a `type` or a value of an `@vocab` term is
/// not an IRI (`mode: ["classroom"]`, a word outside the term's closed list): the json-ld
/// crate would make it a blank node, so two different words would sign alike, where JSON-LD
/// safe mode (jsonld.js, the Data Integrity libraries) refuses the document.
fn refuse_invalid_ids(
    document: &ssi_json_ld::json_ld::ExpandedDocument,
) -> Result<(), CredentialError> {
    use ssi_json_ld::json_ld::{BlankIdBuf, IriBuf};
    use ssi_json_ld::json_ld::{Id, Object};
    type Indexed = ssi_json_ld::json_ld::IndexedObject<IriBuf, BlankIdBuf>;
    fn check(object: &Indexed) -> Result<(), CredentialError> {
        let invalid = |id: &Id| match id {
            Id::Invalid(text) => Err(CredentialError::JsonLd(format!(
                "\"{text}\" is not an IRI here (a word outside a term's list, or a relative \
                 reference)"
            ))),
            Id::Valid(_) => Ok(()),
        };
        match object.inner() {
            Object::Value(_) => Ok(()),
            Object::List(list) => list.iter().try_for_each(check),
            Object::Node(node) => {
                if let Some(id) = &node.id {
                    invalid(id)?;
                }
                node.types().iter().try_for_each(invalid)?;
                for (_, objects) in node.properties().iter() {
                    objects.iter().try_for_each(check)?;
                }
                match node.graph() {
                    Some(graph) => graph.iter().try_for_each(check),
                    None => Ok(()),
                }
            }
        }
    }
    document.iter().try_for_each(check)
}

/// A control character that RDFC-1.0 writes escaped in N-Quads (`\t`, `\b`, `\f`,
/// `\uXXXX`) and ssi-rdf (through rdf-types 0.22) writes raw: the two canonical forms, and so
/// the signatures, would differ (W3C rdf-canon test060). Line feeds and carriage returns are
/// escaped alike by both. A credential with one is refused before it is read; Skillpack writes
/// none (`credential::badge` turns them into spaces).
pub(super) fn is_unsafe_control(c: char) -> bool {
    (c <= '\u{1f}' && c != '\n' && c != '\r') || c == '\u{7f}'
}

fn walk(
    value: &Value,
    place: Place,
    depth: usize,
    blank: &mut usize,
) -> Result<(), CredentialError> {
    if depth > MAX_DEPTH {
        return Err(CredentialError::TooLarge {
            what: "the nesting",
            value: depth,
            limit: MAX_DEPTH,
        });
    }
    match value {
        Value::Object(map) => {
            if !map.contains_key("id") {
                *blank += 1;
                if *blank > MAX_BLANK_NODES {
                    return Err(CredentialError::TooLarge {
                        what: "the objects without an id",
                        value: *blank,
                        limit: MAX_BLANK_NODES,
                    });
                }
            }
            for (key, member) in map {
                let document = matches!(
                    place,
                    Place::Top | Place::Presented | Place::PresentedCredential
                );
                if key == "@context" && document {
                    continue;
                }
                if key == "@context" && place == Place::Endorsement {
                    if *member != super::endorsement_credential::endorsement_context() {
                        return Err(CredentialError::Malformed(
                            "an endorsement of the issuer may only name the VC 2.0 and Open \
                             Badges 3.0.3 contexts, in that order"
                                .into(),
                        ));
                    }
                    continue;
                }
                if key.starts_with('@') || key.contains(':') {
                    return Err(CredentialError::Malformed(format!(
                        "the key {key:?} is not accepted in a credential (keywords, aliases and \
                         IRIs as keys could hide a field from a reader)"
                    )));
                }
                walk(member, place.member(key), depth + 1, blank)?;
            }
        }
        Value::Array(items) => {
            if items.iter().any(Value::is_array) {
                return Err(CredentialError::Malformed(
                    "a list inside a list is not accepted in a credential".into(),
                ));
            }
            if place == Place::Endorsements && items.len() > MAX_ENDORSEMENTS {
                return Err(CredentialError::TooLarge {
                    what: "the issuer's endorsements",
                    value: items.len(),
                    limit: MAX_ENDORSEMENTS,
                });
            }
            check_alike(items)?;
            for item in items {
                walk(item, place.item(), depth + 1, blank)?;
            }
        }
        Value::String(text) if text.starts_with("_:") => {
            // Named blank nodes could tie the graph in knots RDFC pays for.
            return Err(CredentialError::Malformed(format!(
                "a blank node identifier ({text}) is not accepted"
            )));
        }
        Value::String(text) => {
            if let Some(c) = text.chars().find(|&c| is_unsafe_control(c)) {
                return Err(CredentialError::Malformed(format!(
                    "a text holds the control character U+{:04X}, which canonicalisers write \
                     differently (a signature over it would verify in some and not others)",
                    u32::from(c)
                )));
            }
            if looks_like_an_iri(text) && !percent_escapes_are_utf8(text) {
                // The JSON-LD stack decodes an IRI's escapes as UTF-8 and panics on others.
                return Err(CredentialError::Malformed(format!(
                    "an address's percent-escapes are not UTF-8: {}",
                    text.chars().take(100).collect::<String>()
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether a string may be read as an IRI: a scheme's colon and no white space (text for
/// people has spaces; an address has none).
fn looks_like_an_iri(text: &str) -> bool {
    text.contains(':') && !text.chars().any(char::is_whitespace)
}

/// Whether `text`, its `%XX` escapes decoded to the bytes they name, is UTF-8.
fn percent_escapes_are_utf8(text: &str) -> bool {
    if !text.contains('%') {
        return true;
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes.get(i + 1..i + 3).and_then(|hex| {
            let hex = std::str::from_utf8(hex).ok()?;
            u8::from_str_radix(hex, 16).ok()
        });
        match (bytes[i], escape) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// Refuses an array holding more than [`MAX_ALIKE_SIBLINGS`] objects without an id whose
/// plain (non-object) members are equal: their blank nodes would look alike to RDFC.
fn check_alike(items: &[Value]) -> Result<(), CredentialError> {
    let mut shapes: Vec<(Vec<(&String, &Value)>, usize)> = Vec::new();
    for item in items {
        let Value::Object(map) = item else { continue };
        if map.contains_key("id") || map.contains_key("@id") {
            continue;
        }
        let plain: Vec<(&String, &Value)> = map
            .iter()
            .filter(|(_, v)| !v.is_object() && !v.is_array())
            .collect();
        match shapes.iter_mut().find(|(shape, _)| *shape == plain) {
            Some((_, count)) => {
                *count += 1;
                if *count > MAX_ALIKE_SIBLINGS {
                    return Err(CredentialError::TooLarge {
                        what: "objects alike in one list",
                        value: *count,
                        limit: MAX_ALIKE_SIBLINGS,
                    });
                }
            }
            None => shapes.push((plain, 1)),
        }
    }
    Ok(())
}

/// Runs a future that never waits (the loader serves bundled contexts from memory) to its
/// end on this thread; one that would wait is an error, never a hang.
fn run_now<F: Future>(future: F) -> Result<F::Output, CredentialError> {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..1024 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return Ok(output);
        }
    }
    Err(CredentialError::JsonLd(
        "expansion waited for something the library does not hold".into(),
    ))
}
