//! A device away from any connection for 60 days: its learner took 500 assessments, dated
//! across those days by the store's own time argument (the device's clock), while the trainer
//! published an update. One sync sends every result and fetches the update.

use chrono::{Duration, Utc};

use skillpack_core::sync::PackVersion;

use crate::device::TestDevice;
use crate::proxy::FaultPlan;
use crate::site::Site;

const DAYS: i64 = 60;
const RESULTS: usize = 500;

#[test]
fn a_device_offline_for_sixty_days_sends_its_500_results_in_one_sync() {
    let seed = crate::seed_for("offline");
    let mut site = Site::start(FaultPlan::quiet(), seed);
    let first = site.build("talking-with-customers", "1.0.0");
    site.publish(&first, "riders");
    let code = site.enrol("riders", 1);
    let mut device = TestDevice::new(site.path(), "away", ("riders", &code), &first.path, seed);
    let url = site.url();
    device.connect(&url).unwrap();

    let update = site.build("talking-with-customers", "1.1.0");
    site.publish(&update, "riders");
    let back = Utc::now();
    let left = back - Duration::days(DAYS);
    let step = Duration::days(DAYS) / RESULTS as i32;
    for i in 0..RESULTS {
        device.take_at(left + step * i as i32);
    }

    let report = device.connect(&url).unwrap();
    assert_eq!(report.pushed as usize, RESULTS, "{report:?}");
    assert!(report.rejected.is_empty(), "{report:?}");
    assert_eq!(
        report.installed,
        [PackVersion::new("talking-with-customers", "1.1.0")]
    );
    let devices = [device];
    assert_eq!(site.clean_rounds(&devices), 1, "nothing was left for later");
    let view = site.assert_everything_in_place(&devices);
    assert!(view.flags.is_empty(), "{:?}", view.flags);
    let oldest = view
        .results
        .iter()
        .map(|r| r.record.record.ended_at.as_str())
        .min()
        .unwrap();
    let dated = skillpack_core::ledger::record_time(left + Duration::days(1));
    assert!(
        oldest < dated.as_str(),
        "the oldest result is from {oldest}"
    );
}
