//! The device's sync against a hostile or broken hub on loopback, a plain TCP server that
//! answers as each test scripts it: a captive portal's page, a spoiled byte, a spliced
//! resume, a catalog that lies about sizes, a pack that never ends, a hub that trickles, a
//! pack from a publisher the device does not trust. Each time the device must discard what
//! is bad, report it, keep what was proven, install the rest, and say what it sent.
#![cfg(feature = "client")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use skillpack_core::device::Device;
use skillpack_core::keys::SecretKey;
use skillpack_core::pack::{PackInfo, PackReader, Variant};
use skillpack_core::protocol::{catalog_tag, CatalogEntry, CatalogResponse, PushRequest};
use skillpack_core::store::Registration;
use skillpack_core::sync::{HubClient, PackVersion, SyncError, SyncPolicy, SyncReport};
use skillpack_core::testing::{module_files, pack_with, publisher_key, stranger_key};

/// What the scripted hub sends back for one request.
enum Answer {
    /// Status, extra headers and body, all at once.
    Whole(u16, Vec<(String, String)>, Vec<u8>),
    /// A 200 announcing `len` bytes that sends only `body`, then closes.
    Cut { len: usize, body: Vec<u8> },
    /// A 200 with `body`, one `piece` every `every`.
    Trickle {
        body: Vec<u8>,
        piece: usize,
        every: Duration,
    },
}

/// One request as the hub saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    range: Option<String>,
    body: Vec<u8>,
}

type Script = Box<dyn Fn(&Seen, usize) -> Answer + Send + Sync>;

/// A hub on loopback that answers `/v1/nonce` and `/v1/records` as a hub would, and every
/// other path (catalog, packs) as the test's script says, given how often the path was
/// asked for before.
struct ScriptedHub {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl ScriptedHub {
    fn start(script: Script) -> Self {
        Self::start_announcing(script, None)
    }

    /// A scripted hub whose answer to every push says the learner's newest credential is
    /// number `credentials`.
    fn start_announcing(script: Script, credentials: Option<u64>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
        let log = seen.clone();
        let script = Arc::new(script);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, script) = (log.clone(), script.clone());
                std::thread::spawn(move || serve(stream, &log, &script, credentials));
            }
        });
        Self { url, seen }
    }

    fn requests_for(&self, prefix: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path.starts_with(prefix))
            .cloned()
            .collect()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Seen>>, script: &Script, credentials: Option<u64>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split(' ').nth(1).unwrap_or("").to_owned();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let len = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        let seen = Seen {
            path: path.clone(),
            range: headers.get("range").cloned(),
            body,
        };
        let before = log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .count();
        log.lock().unwrap().push(seen.clone());
        let answer = if path == "/v1/nonce" {
            json(r#"{"nonce":"00","expires_in":60}"#.into())
        } else if path == "/v1/records" {
            accept_all(&seen.body, credentials)
        } else {
            script(&seen, before)
        };
        let kept_open = match answer {
            Answer::Whole(status, extra, body) => {
                write_head(&mut stream, status, body.len(), &extra);
                stream.write_all(&body).is_ok()
            }
            Answer::Cut { len, body } => {
                write_head(&mut stream, 200, len, &[]);
                let _ = stream.write_all(&body);
                false
            }
            Answer::Trickle { body, piece, every } => {
                write_head(&mut stream, 200, body.len(), &[]);
                for part in body.chunks(piece) {
                    if stream
                        .write_all(part)
                        .and_then(|()| stream.flush())
                        .is_err()
                    {
                        return;
                    }
                    std::thread::sleep(every);
                }
                true
            }
        };
        if !kept_open {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
    }
}

fn write_head(stream: &mut TcpStream, status: u16, len: usize, extra: &[(String, String)]) {
    let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {len}\r\n");
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
}

fn json(body: String) -> Answer {
    Answer::Whole(
        200,
        vec![("content-type".into(), "application/json".into())],
        body.into_bytes(),
    )
}

/// Every pushed record accepted (and the newest credential announced, if given).
fn accept_all(body: &[u8], credentials: Option<u64>) -> Answer {
    let json_body = zstd::decode_all(body).unwrap_or_else(|_| body.to_vec());
    let push: PushRequest = serde_json::from_slice(&json_body).unwrap();
    let results: Vec<String> = push
        .records
        .iter()
        .map(|r| format!(r#"{{"id":"{}","status":"accepted"}}"#, r.record.id))
        .collect();
    let announced = credentials.map_or(String::new(), |n| format!(r#","credentials":{n}"#));
    json(format!(
        r#"{{"results":[{}]{announced}}}"#,
        results.join(",")
    ))
}

/// A pack of one module `id`, signed by `key`, with its catalog entry.
fn pack(id: &str, key: &SecretKey) -> (Vec<u8>, CatalogEntry) {
    let info = PackInfo {
        id: id.into(),
        version: "1.0.0".into(),
        variant: Variant::Full,
    };
    let bytes = pack_with(&[module_files(id)], info, |_| {}, key);
    let reader = PackReader::open(std::io::Cursor::new(&bytes)).unwrap();
    let entry = CatalogEntry {
        id: reader.manifest().pack.id.clone(),
        version: reader.manifest().pack.version.clone(),
        hash: reader.pack_hash().to_hex(),
        size: bytes.len() as u64,
        variant: "full".into(),
        publisher: key.public_key().to_did_key(),
        modules: vec![id.into()],
    };
    (bytes, entry)
}

fn catalog(entries: &[CatalogEntry]) -> Answer {
    let body = serde_json::to_vec(&CatalogResponse {
        group: "riders".into(),
        packs: entries.to_vec(),
    })
    .unwrap();
    Answer::Whole(
        200,
        vec![
            ("content-type".into(), "application/json".into()),
            ("etag".into(), catalog_tag(&body)),
        ],
        body,
    )
}

/// The bytes a `Range: bytes=a-b` or `bytes=a-` header asks for, as a 206; the whole file,
/// as a 200, without one.
fn ranged(bytes: &[u8], seen: &Seen) -> Answer {
    let Some((from, to)) = seen
        .range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
    else {
        return Answer::Whole(200, vec![], bytes.to_vec());
    };
    let from: usize = from.parse().unwrap();
    let to: usize = to
        .parse()
        .map_or(bytes.len() - 1, |t: usize| t.min(bytes.len() - 1));
    Answer::Whole(
        206,
        vec![(
            "content-range".into(),
            format!("bytes {from}-{to}/{}", bytes.len()),
        )],
        bytes[from..=to].to_vec(),
    )
}

/// A device trusting the test publisher, registered with `hub`.
fn device(dir: &Path, hub: &ScriptedHub) -> Device {
    let device = Device::create(&dir.join("device")).unwrap();
    device
        .store()
        .trust(&publisher_key().public_key(), "trainer")
        .unwrap();
    device
        .store()
        .set_registration(&Registration {
            hub: hub.url.clone(),
            group: "riders".into(),
        })
        .unwrap();
    device
}

fn quick() -> SyncPolicy {
    SyncPolicy {
        attempts: 3,
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        ..SyncPolicy::default()
    }
}

fn sync(device: &Device, hub: &ScriptedHub, policy: SyncPolicy) -> Result<SyncReport, SyncError> {
    HubClient::with_policy(&hub.url, policy)
        .unwrap()
        .sync(device.store(), &device.downloads_dir())
}

fn ids(list: &[skillpack_core::sync::PackProblem]) -> Vec<&str> {
    list.iter().map(|p| p.id.as_str()).collect()
}

fn leftovers(device: &Device) -> Vec<String> {
    std::fs::read_dir(device.downloads_dir())
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_portal_page_a_spoiled_pack_and_a_pack_that_never_ends_are_discarded_and_the_good_one_installs()
{
    let (portal, portal_entry) = pack("portal-pack", &publisher_key());
    let (spoiled, spoiled_entry) = pack("spoiled-pack", &publisher_key());
    let (endless, endless_entry) = pack("endless-pack", &publisher_key());
    let (good, good_entry) = pack("good-pack", &publisher_key());
    let entries = vec![
        portal_entry.clone(),
        spoiled_entry.clone(),
        endless_entry.clone(),
        good_entry.clone(),
    ];
    let _ = portal;
    let spoiled_hash = spoiled_entry.hash.clone();
    let hub = ScriptedHub::start(Box::new(move |seen, _| {
        let path = seen.path.as_str();
        if path.starts_with("/v1/catalog") {
            return catalog(&entries);
        }
        if path.ends_with(&portal_entry.hash) {
            return Answer::Whole(
                200,
                vec![("content-type".into(), "text/html".into())],
                b"<html><body>Sign in to use this Wi-Fi</body></html>".to_vec(),
            );
        }
        if path.ends_with(&spoiled_entry.hash) {
            let mut bytes = spoiled.clone();
            let at = bytes.len() - 100;
            bytes[at] ^= 0x01;
            return ranged(&bytes, seen);
        }
        if path.ends_with(&endless_entry.hash) {
            let mut bytes = endless.clone();
            bytes.extend(std::iter::repeat_n(0u8, 4 << 20));
            return Answer::Whole(200, vec![], bytes);
        }
        ranged(&good, seen)
    }));
    let dir = tempfile::tempdir().unwrap();
    let device = device(dir.path(), &hub);
    let report = sync(&device, &hub, quick()).expect("the sync ends");
    // The pack that never ends is read to its own end and no further.
    assert_eq!(
        report.installed,
        vec![
            PackVersion::new("endless-pack", "1.0.0"),
            PackVersion::new("good-pack", "1.0.0")
        ]
    );
    assert_eq!(
        ids(&report.failed),
        vec!["portal-pack", "spoiled-pack"],
        "{report:?}"
    );
    assert!(report.unfinished.is_none());
    assert!(leftovers(&device).is_empty(), "{:?}", leftovers(&device));
    // The spoiled pack was tried again from its last good chunk, never from the start.
    let tries = hub.requests_for(&format!("/v1/packs/{spoiled_hash}"));
    assert_eq!(tries.len(), 3, "{tries:?}");
    assert!(tries[1..].iter().all(|t| t.range.is_some()), "{tries:?}");
    // The next sync tries the failed ones again and installs nothing twice.
    let again = sync(&device, &hub, quick()).expect("the sync ends");
    assert!(again.installed.is_empty());
    assert_eq!(again.failed.len(), 2);
}

#[test]
fn a_download_spliced_from_a_cut_and_a_wrong_range_resumes_after_its_last_good_chunk() {
    let (bytes, entry) = pack("spliced-pack", &publisher_key());
    let (other, _) = pack("other-pack", &publisher_key());
    let entries = vec![entry.clone()];
    let half = bytes.len() / 2;
    let first_half = bytes[..half].to_vec();
    let hub = ScriptedHub::start(Box::new(move |seen, before| {
        if seen.path.starts_with("/v1/catalog") {
            return catalog(&entries);
        }
        match before {
            // Cut half way.
            0 => Answer::Cut {
                len: bytes.len(),
                body: first_half.clone(),
            },
            // The resumed range answered with another pack's bytes.
            1 => ranged(&other[..other.len().min(bytes.len())], seen),
            _ => ranged(&bytes, seen),
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let device = device(dir.path(), &hub);
    let report = sync(&device, &hub, quick()).expect("the sync ends");
    assert_eq!(
        report.installed,
        vec![PackVersion::new("spliced-pack", "1.0.0")]
    );
    let tries = hub.requests_for("/v1/packs/");
    assert_eq!(tries.len(), 3, "{tries:?}");
    let start = |t: &Seen| {
        t.range
            .as_deref()
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
    };
    let resumed_at = start(&tries[1]).expect("a range");
    assert!(
        resumed_at > 0 && resumed_at <= half,
        "{resumed_at} of {half}"
    );
    assert_eq!(
        start(&tries[2]),
        Some(resumed_at),
        "the spliced bytes were cut off"
    );
    assert!(leftovers(&device).is_empty());
}

#[test]
fn a_catalog_that_lies_about_sizes_cannot_fill_the_phone() {
    let (_, mut empty) = pack("empty-claim", &publisher_key());
    empty.size = 0;
    let (_, mut huge) = pack("huge-claim", &publisher_key());
    huge.size = 1_200_000_000;
    let entries = vec![empty.clone(), huge.clone()];
    let hub = ScriptedHub::start(Box::new(move |seen, _| {
        if seen.path.starts_with("/v1/catalog") {
            return catalog(&entries);
        }
        Answer::Whole(200, vec![], vec![0; 8 << 20])
    }));
    let dir = tempfile::tempdir().unwrap();
    let device = device(dir.path(), &hub);
    let report = sync(&device, &hub, quick()).expect("the sync ends");
    assert_eq!(ids(&report.failed), vec!["empty-claim", "huge-claim"]);
    assert!(
        hub.requests_for("/v1/packs/").is_empty(),
        "not a byte asked for"
    );
    assert!(leftovers(&device).is_empty());
}

#[test]
fn a_download_that_needs_more_room_than_the_phone_has_does_not_start() {
    let (bytes, entry) = pack("roomy-pack", &publisher_key());
    let entries = vec![entry];
    let hub = ScriptedHub::start(Box::new(move |seen, _| {
        if seen.path.starts_with("/v1/catalog") {
            return catalog(&entries);
        }
        ranged(&bytes, seen)
    }));
    let dir = tempfile::tempdir().unwrap();
    let device = device(dir.path(), &hub);
    let policy = SyncPolicy {
        reserve: u64::MAX / 4,
        ..quick()
    };
    let report = sync(&device, &hub, policy).expect("the sync ends");
    assert_eq!(ids(&report.failed), vec!["roomy-pack"]);
    assert!(
        report.failed[0].reason.contains("free storage"),
        "{report:?}"
    );
    assert!(hub.requests_for("/v1/packs/").is_empty());
}

#[test]
fn a_hub_that_trickles_is_left_and_the_download_resumes_next_time() {
    let (bytes, entry) = pack("slow-pack", &publisher_key());
    let entries = vec![entry];
    let hub = ScriptedHub::start(Box::new(move |seen, before| {
        if seen.path.starts_with("/v1/catalog") {
            return catalog(&entries);
        }
        match before {
            // One byte every 50 ms: far below what counts as moving.
            0 => Answer::Trickle {
                body: bytes.clone(),
                piece: 1,
                every: Duration::from_millis(50),
            },
            // Moving, but slower than the whole sync may take.
            1 => Answer::Trickle {
                body: bytes.clone(),
                piece: 512,
                every: Duration::from_millis(400),
            },
            _ => ranged(&bytes, seen),
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let device = device(dir.path(), &hub);
    let stalling = SyncPolicy {
        stall: Duration::from_millis(700),
        attempts: 1,
        ..quick()
    };
    let start = Instant::now();
    let stalled = sync(&device, &hub, stalling);
    assert!(
        matches!(stalled, Err(SyncError::Offline(ref why)) if why.contains("stalled")),
        "{stalled:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );

    let deadline = SyncPolicy {
        sync_deadline: Duration::from_millis(1500),
        attempts: 1,
        ..quick()
    };
    let start = Instant::now();
    let out_of_time = sync(&device, &hub, deadline);
    assert!(
        matches!(out_of_time, Err(SyncError::OutOfTime)),
        "{out_of_time:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );

    let report = sync(&device, &hub, quick()).expect("the sync ends");
    assert_eq!(report.installed.len(), 1, "{report:?}");
}

#[test]
fn a_pack_from_an_unknown_publisher_is_skipped_and_named_and_results_still_go() {
    let (foreign, foreign_entry) = pack("foreign-pack", &stranger_key());
    let (good, good_entry) = pack("good-pack", &publisher_key());
    let foreign_hash = foreign_entry.hash.clone();
    let entries = vec![foreign_entry.clone(), good_entry];
    let hub = ScriptedHub::start(Box::new(move |seen, _| {
        if seen.path.starts_with("/v1/catalog") {
            return catalog(&entries);
        }
        if seen.path.ends_with(&foreign_entry.hash) {
            return ranged(&foreign, seen);
        }
        ranged(&good, seen)
    }));
    let dir = tempfile::tempdir().unwrap();
    let device = device(dir.path(), &hub);
    let sample = dir.path().join("sample.skillpack");
    std::fs::write(&sample, skillpack_core::testing::sample_pack()).unwrap();
    device.store().install(&sample).unwrap();
    device.start_attempt("bike-check").unwrap();
    device.submit("bike-check").unwrap();

    let report = sync(&device, &hub, quick()).expect("the sync ends");
    assert_eq!(report.pushed, 1, "{report:?}");
    assert_eq!(
        report.installed,
        vec![PackVersion::new("good-pack", "1.0.0")]
    );
    assert_eq!(ids(&report.untrusted), vec!["foreign-pack"]);
    assert_eq!(
        report.untrusted[0].publisher,
        stranger_key().public_key().to_did_key()
    );
    assert!(hub
        .requests_for(&format!("/v1/packs/{foreign_hash}"))
        .is_empty());
    assert!(device.store().outbox().unwrap().is_empty());
}

/// Two versions of a two-module pack whose second version changes one lesson of one module,
/// with the second version's catalog entry.
fn two_versions() -> (Vec<u8>, Vec<u8>, CatalogEntry) {
    let build = |version: &str, lesson: &str| {
        let mut changed = module_files("tyres");
        changed.insert("lessons/02-tyres.md", lesson.to_owned());
        let info = PackInfo {
            id: "bike-course".into(),
            version: version.into(),
            variant: Variant::Full,
        };
        pack_with(
            &[module_files("brakes"), changed],
            info,
            |_| {},
            &publisher_key(),
        )
    };
    let old = build("1.0.0", "# Tyres\n\nPress each tyre.\n");
    let new = build("1.0.1", "# Tyres\n\nPress each tyre with your thumb.\n");
    let reader = PackReader::open(std::io::Cursor::new(&new)).unwrap();
    let entry = CatalogEntry {
        id: "bike-course".into(),
        version: "1.0.1".into(),
        hash: reader.pack_hash().to_hex(),
        size: new.len() as u64,
        variant: "full".into(),
        publisher: publisher_key().public_key().to_did_key(),
        modules: vec!["brakes".into(), "tyres".into()],
    };
    (old, new, entry)
}

/// A hub whose catalog offers `entry` (the new version of [`two_versions`]), which serves
/// `new` by ranges and answers each request for one of its chunks with
/// `chunk(its stored bytes, how often that chunk was asked for before)`.
fn update_hub(
    entry: CatalogEntry,
    new: Vec<u8>,
    chunk: impl Fn(&[u8], usize) -> Answer + Send + Sync + 'static,
) -> ScriptedHub {
    let chunks = chunks_of(&new);
    ScriptedHub::start(Box::new(move |seen, before| {
        if seen.path.starts_with("/v1/catalog") {
            return catalog(std::slice::from_ref(&entry));
        }
        match seen.path.strip_prefix("/v1/chunks/") {
            Some(hash) => chunk(&chunks[hash], before),
            None => ranged(&new, seen),
        }
    }))
}

/// The stored bytes of each chunk of a pack (and, in format 2, of each manifest page and
/// part), by hash: what a hub serves at `/v1/chunks/{hash}`.
fn chunks_of(pack: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut reader = PackReader::open(std::io::Cursor::new(pack)).unwrap();
    reader
        .chunk_ranges()
        .into_iter()
        .map(|range| (range.hash.to_hex(), reader.read_stored(&range).unwrap()))
        .collect()
}

fn installed_first(dir: &Path, hub: &ScriptedHub, old: &[u8]) -> Device {
    let device = device(dir, hub);
    let file = dir.join("old.skillpack");
    std::fs::write(&file, old).unwrap();
    device.store().install(&file).unwrap();
    device
}

#[test]
fn an_update_fetches_the_head_by_range_and_only_the_chunks_the_device_lacks() {
    let (old, new, entry) = two_versions();
    let held = chunks_of(&old);
    let lacking = chunks_of(&new)
        .keys()
        .filter(|h| !held.contains_key(*h))
        .count();
    let hub = update_hub(entry, new, |stored, _| {
        Answer::Whole(200, vec![], stored.to_vec())
    });
    let dir = tempfile::tempdir().unwrap();
    let device = installed_first(dir.path(), &hub, &old);
    let report = sync(&device, &hub, quick()).expect("the sync ends");
    assert_eq!(
        report.installed,
        vec![PackVersion::new("bike-course", "1.0.1")]
    );
    assert!(
        lacking > 0 && lacking < held.len(),
        "{lacking} of {}",
        held.len()
    );
    assert_eq!(hub.requests_for("/v1/chunks/").len(), lacking);
    let packs = hub.requests_for("/v1/packs/");
    assert_eq!(packs.len(), 2, "header, then manifest: {packs:?}");
    assert!(
        packs.iter().all(|p| p.range.is_some()),
        "never the whole pack"
    );
    let lesson = device.store().lesson("tyres", 1).unwrap();
    assert!(
        lesson.markdown.contains("with your thumb"),
        "{}",
        lesson.markdown
    );
    assert!(leftovers(&device).is_empty(), "{:?}", leftovers(&device));
}

#[test]
fn an_update_whose_chunks_come_spoiled_falls_back_to_the_whole_pack() {
    let (old, new, entry) = two_versions();
    let hub = update_hub(entry, new, |stored, _| {
        let mut spoiled = stored.to_vec();
        spoiled[0] ^= 1;
        Answer::Whole(200, vec![], spoiled)
    });
    let dir = tempfile::tempdir().unwrap();
    let device = installed_first(dir.path(), &hub, &old);
    let report = sync(&device, &hub, quick()).expect("the sync ends");
    assert_eq!(
        report.installed,
        vec![PackVersion::new("bike-course", "1.0.1")]
    );
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        hub.requests_for("/v1/chunks/").len(),
        quick().attempts as usize,
        "the spoiled chunk is tried again, then given up"
    );
    assert!(
        hub.requests_for("/v1/packs/")
            .iter()
            .any(|p| p.range.is_none()),
        "the whole pack was fetched instead"
    );
    assert!(leftovers(&device).is_empty(), "{:?}", leftovers(&device));
}

#[test]
fn an_update_cut_by_the_network_is_tried_again_next_time_never_as_the_whole_pack() {
    let (old, new, entry) = two_versions();
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let hub = update_hub(entry, new, move |stored, _| {
        // Every try of the first sync is cut half way: the first piece it asks for (a
        // manifest page or a chunk), as often as it tries, then it gives up.
        let before = asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if before < quick().attempts as usize {
            Answer::Cut {
                len: stored.len(),
                body: stored[..stored.len() / 2].to_vec(),
            }
        } else {
            Answer::Whole(200, vec![], stored.to_vec())
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let device = installed_first(dir.path(), &hub, &old);
    let first = sync(&device, &hub, quick());
    assert!(
        first.as_ref().map_or(true, |r| r.installed.is_empty()),
        "{first:?}"
    );
    let second = sync(&device, &hub, quick()).expect("the sync ends");
    assert_eq!(
        second.installed,
        vec![PackVersion::new("bike-course", "1.0.1")]
    );
    assert!(
        hub.requests_for("/v1/packs/")
            .iter()
            .all(|p| p.range.is_some()),
        "the whole pack never crossed the bad link"
    );
    assert!(leftovers(&device).is_empty(), "{:?}", leftovers(&device));
}

mod credentials;
