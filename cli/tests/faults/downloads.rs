//! Pack downloads through one fault at a time, each aimed at the pack request by the proxy's
//! script: a download cut mid-body resumes where it stopped; one with a flipped byte is
//! discarded and fetched again; and a failed download never keeps the rest of the group's
//! packs from arriving in the same sync.

use crate::device::TestDevice;
use crate::proxy::{Fault, FaultPlan};
use crate::site::Site;

/// A hub offering `riders` the module its learner takes (which the device has from the
/// trainer's file) and `fetched`, which it must download; the device, not yet registered.
fn riders(test: &str, fetched: &[&str]) -> (Site, TestDevice) {
    let seed = crate::seed_for(test);
    let mut site = Site::start(FaultPlan::quiet(), seed);
    let taken = site.build("talking-with-customers", "1.0.0");
    site.publish(&taken, "riders");
    for module in fetched {
        let pack = site.build(module, "1.0.0");
        site.publish(&pack, "riders");
    }
    let code = site.enrol("riders", 1);
    let device = TestDevice::new(site.path(), "phone", ("riders", &code), &taken.path, seed);
    (site, device)
}

#[test]
fn a_pack_download_cut_mid_body_resumes_where_it_stopped() {
    let (site, mut device) = riders("cut download", &["safe-riding"]);
    site.proxy.script("/v1/packs/", [Some(Fault::Cut)]);
    device.connect_or_log(&site.url(), "cut");
    let devices = [device];
    site.clean_rounds(&devices);
    site.assert_everything_in_place(&devices);
    let downloads: Vec<_> = site
        .proxy
        .arrivals()
        .into_iter()
        .filter(|a| a.request.starts_with("GET /v1/packs/"))
        .collect();
    assert_eq!(downloads.len(), 2, "{downloads:?}");
    assert_eq!(downloads[0].fault, Some(Fault::Cut));
    assert!(
        downloads[1]
            .range
            .as_deref()
            .is_some_and(|r| r != "bytes=0-"),
        "the second request resumes: {downloads:?}"
    );
}

#[test]
fn a_pack_download_with_a_flipped_byte_is_discarded_and_fetched_again() {
    let (site, mut device) = riders("flipped download", &["safe-riding"]);
    site.proxy.script("/v1/packs/", [Some(Fault::Flip)]);
    device.connect_or_log(&site.url(), "flipped");
    let devices = [device];
    site.clean_rounds(&devices);
    site.assert_everything_in_place(&devices);
}

#[test]
fn a_failed_download_does_not_keep_the_other_packs_from_arriving() {
    let (site, device) = riders("failed download", &["safe-riding", "mobile-money-scams"]);
    site.proxy.script("/v1/packs/", [Some(Fault::Flip)]);
    let report = device.connect(&site.url()).unwrap();
    assert_eq!(
        report.installed.len(),
        1,
        "the other pack arrived: {report:?}"
    );
    let devices = [device];
    site.clean_rounds(&devices);
    site.assert_everything_in_place(&devices);
}
