//! Faults, tested for real. Devices (the core, in this process) sync with real hub processes
//! through a fault-injecting proxy on loopback: connections dropped before the hub saw a
//! request and after it answered, answers cut mid-body, flipped bytes, delays, 500 and 503,
//! and hubs killed with SIGKILL and restarted mid-sync. Clean rounds follow, after which every
//! result must be at the hub exactly once, every outbox empty, every chain intact and every
//! device holding every pack of its group. On SQLite, or on PostgreSQL with three hubs on one
//! database, taken in turn by the proxy as by a round-robin balancer, their packs in one S3
//! bucket under `scripts/with-s3` (`scripts/with-postgres scripts/with-s3 env
//! SKILLPACK_HUB_TEST_ENGINE=postgres cargo test -p skillpack --test faults`).
//!
//! Every run prints its seed. `SKILLPACK_FAULT_SEED=S` replays the faults a seed draws (the
//! threads' timing still varies), `SKILLPACK_FAULT_RUNS=N` repeats the mixed run N times in one
//! process with seeds counting up from the first, and `SKILLPACK_FAULTS=cut,flip,…` narrows
//! the kinds drawn. A target of its own, as it kills processes and takes its time.
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;
mod device;
mod http;
mod hub;
mod proxy;
mod site;

mod downloads;
mod floods;
mod identity;
mod mixed;
mod offline;
mod restore;
mod retries;

/// How many times the mixed run repeats in this process (`SKILLPACK_FAULT_RUNS`, default 1).
fn runs() -> u64 {
    std::env::var("SKILLPACK_FAULT_RUNS").map_or(1, |n| {
        n.parse().expect("SKILLPACK_FAULT_RUNS is a number of runs")
    })
}

/// The first seed: `SKILLPACK_FAULT_SEED`, or a fresh one from the operating system.
fn first_seed() -> u64 {
    match std::env::var("SKILLPACK_FAULT_SEED") {
        Ok(seed) => seed.parse().expect("SKILLPACK_FAULT_SEED is a number"),
        Err(_) => {
            let mut bytes = [0u8; 8];
            getrandom::getrandom(&mut bytes).unwrap();
            // Short enough to type back.
            u64::from_le_bytes(bytes) % 1_000_000_000
        }
    }
}

/// The seed of a test that runs once, printed so it can be replayed.
fn seed_for(test: &str) -> u64 {
    let seed = first_seed();
    eprintln!("{test}: seed {seed} (SKILLPACK_FAULT_SEED={seed} replays it)");
    seed
}
