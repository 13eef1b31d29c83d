//! Retries back off exponentially, with jitter: a hub that answers 503 a few times is asked
//! again by the client itself within one sync, the waits grow, and devices that meet the
//! same outage together do not come back in step. Each device talks through a proxy of its
//! own, so each proxy's log holds one device's requests.

use std::time::Duration;

use crate::device::TestDevice;
use crate::proxy::{Fault, FaultPlan, Proxy};
use crate::site::Site;

const DEVICES: usize = 6;
/// 503 answers each device meets in a row.
const FAILURES: usize = 3;

#[test]
fn a_busy_hub_is_retried_with_growing_jittered_waits() {
    let seed = crate::seed_for("retries");
    let mut site = Site::start(FaultPlan::quiet(), seed);
    let pack = site.build("talking-with-customers", "1.0.0");
    site.publish(&pack, "riders");
    let code = site.enrol("riders", DEVICES);
    let hubs: Vec<_> = site.hubs.iter().map(|h| h.addr).collect();
    let mut devices: Vec<(TestDevice, Proxy)> = (0..DEVICES)
        .map(|i| {
            let name = format!("device-{i}");
            let seed = seed ^ ((i as u64) << 40);
            let device = TestDevice::new(site.path(), &name, ("riders", &code), &pack.path, seed);
            let proxy = Proxy::start(hubs.clone(), FaultPlan::quiet(), seed).unwrap();
            (device, proxy)
        })
        .collect();
    let mut logged = Vec::new();
    for (device, proxy) in &mut devices {
        device.connect(&proxy.url()).unwrap();
        device.take(3);
        logged.push(proxy.arrivals().len());
        proxy.script("", [Some(Fault::Status503); FAILURES]);
    }

    std::thread::scope(|s| {
        for (device, proxy) in &devices {
            s.spawn(move || {
                let report = device.connect(&proxy.url()).unwrap();
                assert_eq!(report.pushed, 3, "{}: {report:?}", device.name);
            });
        }
    });

    // The waits before each retry, device by device.
    let waits: Vec<Vec<Duration>> = devices
        .iter()
        .zip(logged)
        .map(|((_, proxy), from)| {
            let arrivals = &proxy.arrivals()[from..from + FAILURES + 1];
            let waits = arrivals.windows(2).map(|w| w[1].at - w[0].at).collect();
            eprintln!("waits: {waits:?}");
            waits
        })
        .collect();
    // Full jitter draws each wait below a cap that doubles: the longest of the last waits
    // outgrows the longest of the first ones unless all six last draws fall in the lowest
    // quarter of their range (at most 1 chance in 4,096). Comparing the means of six draws,
    // as this test did before, fails in about 3% of runs by chance alone; it did once.
    let longest = |i: usize| waits.iter().map(|w| w[i]).max().unwrap_or_default();
    let (first_cap, last_cap) = (longest(0), longest(FAILURES - 1));
    assert!(
        last_cap > first_cap,
        "the waits grow: at most {first_cap:?} first, at most {last_cap:?} last"
    );
    let first = waits.iter().map(|w| w[0]).sum::<Duration>() / DEVICES as u32;
    let firsts: Vec<Duration> = waits.iter().map(|w| w[0]).collect();
    let spread = *firsts.iter().max().unwrap() - *firsts.iter().min().unwrap();
    assert!(spread > first / 10, "jittered: first waits {firsts:?}");
}
