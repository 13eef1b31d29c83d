//! Publishing and distribution: signed uploads re-verified, the catalog with an ETag,
//! resumable pack downloads, chunks by hash. Packs and chunks are immutable and named by
//! hash, so they are served with long cache lifetimes and a CDN can stand in front. Uploads
//! and downloads stream in pieces: the hub's memory does not grow with a pack's size.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use skillpack_core::hex;
use skillpack_core::protocol::GroupName;

use super::{PublisherUpload, QueryOf};
use crate::error::{HttpError, OrHttpErr};
use crate::publish::{publish_file, PublishError};
use crate::state::AppState;

/// Immutable content: cache for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `?group=G` on publish and catalog.
#[derive(Deserialize)]
pub(super) struct GroupQuery {
    /// The group of learners; `default` when absent.
    group: Option<String>,
}

impl GroupQuery {
    /// The group named, held to the one rule for group names (`bad_group` when it breaks it).
    fn group(&self) -> Result<GroupName, HttpError> {
        match &self.group {
            Some(name) => Ok(GroupName::parse(name)?),
            None => Ok(GroupName::default_group()),
        }
    }
}

pub(super) async fn publish(
    State(state): State<AppState>,
    QueryOf(q): QueryOf<GroupQuery>,
    upload: PublisherUpload,
) -> Result<(StatusCode, Response), HttpError> {
    let group = q.group()?.into_inner();
    let path = upload.file.path().to_owned();
    let created = publish_file(&state.db, &path, upload.len, Some(upload.key), group).await?;
    drop(upload.file); // stored: the temporary copy goes
    let status = if created.created || created.offered {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(created).into_response()))
}

impl From<PublishError> for HttpError {
    fn from(e: PublishError) -> Self {
        let (status, code) = match &e {
            PublishError::Unreadable(_) | PublishError::DoesNotVerify(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "bad_pack")
            }
            PublishError::Unsound(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unsound_module"),
            PublishError::NotTheUploaders | PublishError::NotYourId(_) => {
                (StatusCode::FORBIDDEN, "not_your_pack")
            }
            PublishError::UnknownPublisher => (StatusCode::FORBIDDEN, "unknown_publisher"),
            PublishError::Refused(_) => (StatusCode::CONFLICT, "version_exists"),
            PublishError::Hub(_) => return HttpError::internal(e),
        };
        HttpError::new(status, code, e.to_string())
    }
}

pub(super) async fn catalog(
    State(state): State<AppState>,
    QueryOf(q): QueryOf<GroupQuery>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let group = q.group()?.into_inner();
    let page = state.catalogs.page(&state.db, &group).await?;
    let etag = page.etag.clone();
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    Ok((
        [
            (header::ETAG, etag),
            (header::CONTENT_TYPE, "application/json".to_owned()),
        ],
        page.body.clone(),
    )
        .into_response())
}

fn parse_hash(text: &str) -> Result<[u8; 32], HttpError> {
    hex::decode(text).or_http_err(
        StatusCode::BAD_REQUEST,
        "bad_hash",
        "a hash is 64 hex digits",
    )
}

pub(super) async fn download_pack(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let db = &state.db;
    let hash = parse_hash(&hash)?;
    let len = db.pack_len(hash).await?.or_http_err(
        StatusCode::NOT_FOUND,
        "no_such_pack",
        "no pack with this hash",
    )?;
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (start, end, status) = match range {
        None => (0, len, StatusCode::OK),
        Some(r) => match parse_range(r, len) {
            Some((s, e)) => (s, e, StatusCode::PARTIAL_CONTENT),
            None => {
                let refusal = HttpError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "bad_range",
                    format!("one range within the pack's {len} bytes, as bytes=a-b, a- or -n"),
                );
                return Ok(
                    ([(header::CONTENT_RANGE, format!("bytes */{len}"))], refusal).into_response(),
                );
            }
        },
    };
    let mut response = (
        status,
        Body::from_stream(db.pack_stream(hash, start, end).await?),
    )
        .into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_LENGTH, (end - start).into());
    h.insert(
        header::ACCEPT_RANGES,
        "bytes".parse().map_err(HttpError::internal)?,
    );
    h.insert(
        header::CACHE_CONTROL,
        IMMUTABLE.parse().map_err(HttpError::internal)?,
    );
    h.insert(
        header::CONTENT_TYPE,
        "application/vnd.skillpack"
            .parse()
            .map_err(HttpError::internal)?,
    );
    if status == StatusCode::PARTIAL_CONTENT {
        let value = format!("bytes {start}-{}/{len}", end - 1);
        h.insert(
            header::CONTENT_RANGE,
            value.parse().map_err(HttpError::internal)?,
        );
    }
    Ok(response)
}

/// One `bytes=a-b`, `bytes=a-` or `bytes=-n` range as `start..end`, if satisfiable.
fn parse_range(header: &str, len: u64) -> Option<(u64, u64)> {
    let spec = header.strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None; // one range at a time: enough to resume a download
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            (len.saturating_sub(n), len)
        }
        (a, "") => (a.parse().ok()?, len),
        (a, b) => (
            a.parse().ok()?,
            b.parse::<u64>().ok()?.checked_add(1)?.min(len),
        ),
    };
    (start < end && start < len).then_some((start, end))
}

pub(super) async fn download_chunk(
    State(state): State<AppState>,
    Path(hash): Path<String>,
) -> Result<Response, HttpError> {
    let bytes = state.db.chunk(parse_hash(&hash)?).await?.or_http_err(
        StatusCode::NOT_FOUND,
        "no_such_chunk",
        "no chunk with this hash",
    )?;
    Ok(([(header::CACHE_CONTROL, IMMUTABLE)], bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 10)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 100)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 100)));
        assert_eq!(parse_range("bytes=50-500", 100), Some((50, 100)));
        for bad in [
            "bytes=100-",
            "bytes=5-2",
            "bytes=0-1,4-5",
            "items=0-1",
            "bytes=a-b",
            "bytes=18446744073709551615-18446744073709551615",
        ] {
            assert_eq!(parse_range(bad, 100), None, "{bad}");
        }
    }
}
