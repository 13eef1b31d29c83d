//! Pack downloads through one fault at a time, each aimed at the pack request by the proxy's
//! script: a download cut mid-body resumes where it stopped; one with a flipped byte is
//! discarded and fetched again; and a failed download never keeps the rest of the group's
//! packs from arriving in the same sync.

use skillpack_core::sync::PackVersion;

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
    // Every try of one pack comes spoiled (a spoiled chunk is tried again from the last good
    // one, so one flip alone would not make it fail).
    let spoiled = site.build("safe-riding", "1.0.0");
    let hash = skillpack_core::pack::PackReader::open_path(&spoiled.path)
        .unwrap()
        .pack_hash();
    let tries = crate::device::policy().attempts as usize;
    site.proxy
        .script(&format!("/v1/packs/{hash}"), vec![Some(Fault::Flip); tries]);
    let report = device.connect(&site.url()).unwrap();
    assert_eq!(
        report.installed,
        vec![PackVersion::new("mobile-money-scams", "1.0.0")],
        "the other pack arrived: {report:?}"
    );
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].id, "safe-riding");
    assert!(report.unfinished.is_none(), "{report:?}");
    let devices = [device];
    site.clean_rounds(&devices);
    site.assert_everything_in_place(&devices);
}
