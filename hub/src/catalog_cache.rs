//! Each group's catalog answer, built once and kept until an offer is made or ended. The
//! catalog is the request every device makes at every sync, and its answer (hundreds of KiB
//! at a thousand packs) depends only on the offers: building it for each request, or for
//! each "not modified", spent the hub's time on nothing new. The database's catalog
//! generation says when to build again, so an offer made by another instance or by an
//! operator's command is seen at the next request, at the cost of one small read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use skillpack_core::protocol::{catalog_tag, CatalogResponse};

use crate::error::HubError;
use crate::storage::HubDb;

/// Groups whose answers are kept at once; past it the cache starts again (groups are
/// named by trainers, so their number is the hub's, but a stranger may ask for any name).
const MOST_GROUPS: usize = 4096;

/// One group's catalog answer, ready to send.
#[derive(Debug)]
pub struct CatalogPage {
    /// Its entity tag (a digest of the body).
    pub etag: String,
    /// The JSON body.
    pub body: Bytes,
    /// The catalog generation it was built at.
    generation: i64,
}

/// The answers kept, by group; shared by every request of one hub process.
#[derive(Debug, Default)]
pub struct CatalogCache {
    pages: Mutex<HashMap<String, Arc<CatalogPage>>>,
    builds: AtomicU64,
}

impl CatalogCache {
    /// `group`'s catalog answer: the one kept, unless an offer changed since it was built.
    pub async fn page(&self, db: &HubDb, group: &str) -> Result<Arc<CatalogPage>, HubError> {
        // Read before building: an offer made while it builds moves the number past the one
        // kept with the page, so the page is built again at the next request.
        let generation = db.catalog_generation().await?;
        if let Some(page) = self.kept(group) {
            if page.generation == generation {
                return Ok(page);
            }
        }
        self.builds.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::to_vec(&CatalogResponse {
            packs: db.catalog(group.to_owned()).await?,
            group: group.to_owned(),
        })
        .map_err(|e| HubError::Encoding(e.to_string()))?;
        let page = Arc::new(CatalogPage {
            etag: catalog_tag(&body),
            body: Bytes::from(body),
            generation,
        });
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if pages.len() >= MOST_GROUPS && !pages.contains_key(group) {
            pages.clear();
        }
        pages.insert(group.to_owned(), page.clone());
        Ok(page)
    }

    /// How many answers this process has built.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    fn kept(&self, group: &str) -> Option<Arc<CatalogPage>> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.get(group).cloned()
    }
}
