//! The enrolment link a trainer hands out (on the code sheet as a QR code, or as text): the
//! hub's address, the enrolment code and the keys of the publishers whose packs the group
//! gets, so a phone joins in one scan and installs the group's packs at its first sync. It is
//! read from outside (a camera, a paste), so it is bounded and checked before any of it is
//! used: an https hub (plain http only on loopback, for trying it out), a code of the usual
//! shape, at most [`MAX_JOIN_PUBLISHERS`] Ed25519 `did:key`s.

use thiserror::Error;

use crate::keys::PublicKey;

/// What every enrolment link starts with.
pub const JOIN_PREFIX: &str = "skillpack://join?";
/// Longest link read, in bytes.
pub const MAX_JOIN_LINK_LEN: usize = 2048;
/// Most publishers one link names.
pub const MAX_JOIN_PUBLISHERS: usize = 8;
/// Longest enrolment code, in characters.
const MAX_CODE_LEN: usize = 64;

/// A hub, a code and the publishers to trust: what a phone needs to join a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinLink {
    /// The hub's base URL.
    pub hub: String,
    /// The enrolment code.
    pub code: String,
    /// The publishers whose packs the group gets.
    pub publishers: Vec<PublicKey>,
}

/// Why a text is not an enrolment link a phone can use.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JoinLinkError {
    /// Not a link of this kind, or too long.
    #[error("not a Skillpack enrolment link (it starts with {JOIN_PREFIX})")]
    NotALink,
    /// A part is missing or given twice.
    #[error("the enrolment link has no single {0}")]
    Missing(&'static str),
    /// The hub's address is not https (or loopback http).
    #[error("the enrolment link's hub {0:?} is not an https address")]
    BadHub(String),
    /// The code is not of the usual shape.
    #[error("the enrolment link's code is not an enrolment code")]
    BadCode,
    /// A publisher is not an Ed25519 did:key, or there are too many.
    #[error(
        "the enrolment link's publishers are not up to {MAX_JOIN_PUBLISHERS} Ed25519 did:keys"
    )]
    BadPublisher,
    /// A part the link does not have.
    #[error("the enrolment link has a part {0:?} it should not")]
    Unknown(String),
}

impl JoinLink {
    /// Reads a link as scanned or pasted.
    pub fn parse(text: &str) -> Result<Self, JoinLinkError> {
        let text = text.trim();
        if text.len() > MAX_JOIN_LINK_LEN || !text.starts_with(JOIN_PREFIX) {
            return Err(JoinLinkError::NotALink);
        }
        let url = url::Url::parse(text).map_err(|_| JoinLinkError::NotALink)?;
        let (mut hub, mut code, mut publishers) = (None, None, Vec::new());
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "hub" if hub.is_none() => hub = Some(value.into_owned()),
                "code" if code.is_none() => code = Some(value.into_owned()),
                "hub" => return Err(JoinLinkError::Missing("hub")),
                "code" => return Err(JoinLinkError::Missing("code")),
                "trust" => {
                    if publishers.len() == MAX_JOIN_PUBLISHERS {
                        return Err(JoinLinkError::BadPublisher);
                    }
                    let key = PublicKey::parse(&value).map_err(|_| JoinLinkError::BadPublisher)?;
                    if !value.starts_with("did:key:") {
                        return Err(JoinLinkError::BadPublisher);
                    }
                    publishers.push(key);
                }
                other => return Err(JoinLinkError::Unknown(other.chars().take(40).collect())),
            }
        }
        let hub = hub.ok_or(JoinLinkError::Missing("hub"))?;
        if !crate::credential::status::is_readable_status_url(&hub) {
            return Err(JoinLinkError::BadHub(hub.chars().take(100).collect()));
        }
        let code = code.ok_or(JoinLinkError::Missing("code"))?;
        if code.is_empty()
            || code.chars().count() > MAX_CODE_LEN
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(JoinLinkError::BadCode);
        }
        Ok(Self {
            hub,
            code,
            publishers,
        })
    }

    /// The link as text, for a QR code or a message.
    pub fn to_text(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("hub", &self.hub);
        query.append_pair("code", &self.code);
        for publisher in &self.publishers {
            query.append_pair("trust", &publisher.to_did_key());
        }
        format!("{JOIN_PREFIX}{}", query.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    fn link() -> JoinLink {
        JoinLink {
            hub: "https://hub.example.org/skillpack".into(),
            code: "ABCD-EFGH-JKLM".into(),
            publishers: vec![SecretKey::from_seed(&[1; 32]).public_key()],
        }
    }

    #[test]
    fn a_link_reads_back_as_written() {
        let text = link().to_text();
        assert!(text.starts_with(JOIN_PREFIX), "{text}");
        assert_eq!(JoinLink::parse(&text).expect("reads"), link());
        assert_eq!(
            JoinLink::parse(&format!("  {text}\n")).expect("trimmed"),
            link()
        );
    }

    #[test]
    fn hostile_links_are_refused_by_name() {
        let good = link().to_text();
        let did = SecretKey::from_seed(&[1; 32]).public_key().to_did_key();
        for (text, why) in [
            (
                "https://hub.example.org/join?code=X".to_owned(),
                "another scheme",
            ),
            (format!("{good}&{}", "x=1&".repeat(600)), "too long"),
            (
                good.replace("https%3A%2F%2F", "http%3A%2F%2F"),
                "plain http",
            ),
            (good.replace("hub=", "hubb="), "no hub"),
            (format!("{good}&code=OTHER"), "two codes"),
            (
                good.replace("ABCD-EFGH-JKLM", "AB%20CD"),
                "a code with a space",
            ),
            (format!("{good}&trust=z6MkNotAKey"), "a bad key"),
            (
                format!("{good}{}", format!("&trust={did}").repeat(8)),
                "nine publishers",
            ),
            (format!("{good}&then=more"), "an unknown part"),
            ("skillpack://join?".to_owned(), "empty"),
        ] {
            assert!(JoinLink::parse(&text).is_err(), "{why}: {text}");
        }
        let loopback = JoinLink {
            hub: "http://127.0.0.1:8080".into(),
            ..link()
        };
        assert_eq!(
            JoinLink::parse(&loopback.to_text()).expect("loopback"),
            loopback
        );
    }
}
