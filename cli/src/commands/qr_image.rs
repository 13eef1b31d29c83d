//! Reading the QR code in an image (`credential verify --qr`), bounded: the image's size is
//! checked from its header before it is decoded, a large photo is scaled down before the
//! search, and the search has a deadline. A few kilobytes of PNG drawn as a grid of
//! finder-like squares once kept the search busy for minutes (it tries every trio of squares
//! and copies the image for each).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

/// Longest side of an image read for a QR code; a larger one is refused from its header.
pub(crate) const MAX_QR_IMAGE_SIDE: u32 = 8192;
/// Longest side searched: a larger image is scaled down first. A version 40 code (177
/// modules and its margin) keeps more than 5 pixels a module at this size.
pub(crate) const MAX_QR_SEARCH_SIDE: u32 = 1024;
/// Time the search for a code may take.
pub(crate) const QR_SEARCH_DEADLINE: Duration = Duration::from_secs(5);

/// The text of the QR code in a PNG image.
pub(crate) fn read_qr(path: &Path) -> anyhow::Result<String> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_QR_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_QR_IMAGE_SIDE);
    limits.max_alloc = Some(256 << 20);
    let mut reader = image::ImageReader::open(path)
        .with_context(|| format!("reading {}", path.display()))?
        .with_guessed_format()
        .with_context(|| format!("reading {}", path.display()))?;
    reader.limits(limits);
    let mut image = reader
        .decode()
        .with_context(|| format!("reading {}", path.display()))?
        .to_luma8();
    let (width, height) = image.dimensions();
    if width.max(height) > MAX_QR_SEARCH_SIDE {
        let scale = f64::from(MAX_QR_SEARCH_SIDE) / f64::from(width.max(height));
        let side = |n: u32| ((f64::from(n) * scale).round() as u32).max(1);
        image = image::imageops::resize(
            &image,
            side(width),
            side(height),
            image::imageops::FilterType::Triangle,
        );
    }
    // The search runs on a thread of its own; past the deadline it is left to finish
    // unheard, and the command ends.
    let (found, searched) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = found.send(search(&image));
    });
    let shown = path.display();
    match searched.recv_timeout(QR_SEARCH_DEADLINE) {
        Ok(Some(Ok(text))) => Ok(text),
        Ok(Some(Err(e))) => Err(anyhow::anyhow!("the QR code in {shown} does not read: {e}")),
        Ok(None) => Err(anyhow::anyhow!("no QR code found in {shown}")),
        Err(_) => Err(anyhow::anyhow!(
            "no QR code found in {shown} within {} s: crop the picture to the code",
            QR_SEARCH_DEADLINE.as_secs()
        )),
    }
}

/// The first QR code rqrr finds in `image`, read; `None` when it finds none.
fn search(image: &image::GrayImage) -> Option<Result<String, rqrr::DeQRError>> {
    let (width, height) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    let grid = grids.first()?;
    Some(grid.decode().map(|(_, text)| text))
}
