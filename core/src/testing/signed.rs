//! Signed requests to a hub as a device or a publisher signs them, for the hub's tests and
//! the bench (with the `client` feature): the `protocol` signature the real client
//! (`sync::http`) puts on, without its retries, compression or deadlines, so a test or a
//! load run sees the hub alone. One home, so no test builds a signature by hand.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::keys::SecretKey;
use crate::protocol::{endpoint, sign_request, NonceResponse, RequestParts};

/// The signature headers of `method target` over `body`, signed by `key` with the hub's
/// `nonce`; `target` is a path with an optional query, and `created` is 0 (the hub only
/// logs it).
pub fn signed_headers(
    method: &str,
    target: &str,
    body: &[u8],
    key: &SecretKey,
    nonce: &str,
) -> HeaderMap {
    let headers = sign_request(&RequestParts::new(method, target, body), key, nonce, 0);
    headers
        .pairs()
        .into_iter()
        .map(|(name, value)| {
            let value = HeaderValue::from_str(value).expect("a signature header is ASCII");
            (HeaderName::from_static(name), value)
        })
        .collect()
}

/// A POST of `body` to `base` (`http://host:port`) + `target`, signed by `key` over a fresh
/// nonce from the same hub; the answer comes back whatever its status.
pub async fn signed_post<B>(
    client: &reqwest::Client,
    base: &str,
    key: &SecretKey,
    target: &str,
    body: B,
) -> reqwest::Result<reqwest::Response>
where
    B: AsRef<[u8]> + Into<reqwest::Body>,
{
    let nonce: NonceResponse = client
        .get(format!("{base}{}", endpoint::NONCE))
        .send()
        .await?
        .json()
        .await?;
    let headers = signed_headers("POST", target, body.as_ref(), key, &nonce.nonce);
    client
        .post(format!("{base}{target}"))
        .headers(headers)
        .body(body)
        .send()
        .await
}
