//! The learner's credentials as baked Open Badges images (`credential::baked`): one kept
//! credential baked into a picture the shell gives (the app's badge art, or the credential's
//! own QR code drawn as a PNG), which badge platforms and wallets import; and a baked image a
//! trainer or a platform gave, kept as a credential given as a file is.

use chrono::Utc;

use super::Device;
use crate::credential::baked;
use crate::store::HeldCredential;
use crate::Result;

impl Device {
    /// One kept credential baked into `image`, a PNG, to share as a picture.
    pub fn credential_baked(&self, id: &str, image: &[u8]) -> Result<Vec<u8>> {
        Ok(baked::bake(image, &self.credential(id)?)?)
    }

    /// Keeps the credential baked into `png`, once it verifies (as of now, within the one
    /// clock tolerance) and is this learner's: the checks of a credential given as a file.
    pub fn add_baked_credential(&self, png: &[u8]) -> Result<HeldCredential> {
        let credential = baked::unbake(png)?;
        Ok(self.store.add_credential(&credential, Utc::now())?)
    }
}
