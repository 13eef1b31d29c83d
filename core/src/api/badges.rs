//! Baked Open Badges images through the facade: a kept credential baked into a picture the
//! shell draws, and a baked picture kept as a credential. Each call delegates to the `Device`.

use super::credentials::CredentialView;
use super::error::ApiResult;
use super::Skillpack;

#[uniffi::export]
impl Skillpack {
    /// One kept credential baked into `image` (a PNG: the app's badge art, or the
    /// credential's QR code as the shell drew it), to share as a picture that badge
    /// platforms import.
    pub fn credential_baked(&self, id: String, image: Vec<u8>) -> ApiResult<Vec<u8>> {
        self.with(|d| Ok(d.credential_baked(&id, &image)?))
    }

    /// Keeps the credential baked into a PNG a trainer or a platform gave, once it verifies
    /// and is this learner's.
    pub fn add_baked_credential(&self, png: Vec<u8>) -> ApiResult<CredentialView> {
        self.with(|d| Ok(d.add_baked_credential(&png)?.into()))
    }
}
