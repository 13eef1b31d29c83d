//! A fault-injecting HTTP/1.1 proxy on loopback, between devices and one or more hubs. Per
//! request a seeded RNG chooses to pass it or to inject one [`Fault`], within a budget (a
//! probability and a most in all) and behind a switch, so fault rounds can be followed by
//! clean ones. Each request goes to the next hub in turn on a connection of its own (closed
//! after the answer), so hubs can be killed and restarted under it; the device's side stays
//! kept-alive as reqwest's pool expects. It counts the bytes devices send and receive, and
//! answers 502 when no hub answers, as a load balancer would.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use skillpack_core::assess::SeededRng;

use crate::http::{read_message, Message, Side};

/// Longest delay injected.
pub const MAX_DELAY: Duration = Duration::from_millis(300);

/// A device's connection with no request for this long is closed (reqwest keeps idle
/// connections 90 s; a thread per connection should not outlive the test by much more).
const IDLE: Duration = Duration::from_secs(30);

/// How long a hub has to accept a connection, and to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// One thing that can go wrong with a request on its way to a hub and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// The connection drops before the request is forwarded: the hub never sees it.
    DropBefore,
    /// The hub answers, then the connection drops: the hub did the work, the device never
    /// hears of it.
    DropAfter,
    /// The answer stops half way through its body (its head, if it has none).
    Cut,
    /// One byte of the answer's body is changed.
    Flip,
    /// The request waits up to [`MAX_DELAY`] before it goes on.
    Delay,
    /// The proxy answers 500 in the hub's error format, as a failing hub would.
    Status500,
    /// The proxy answers 503 in plain text, as a balancer with no hub behind it would.
    Status503,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 7] = [
        Fault::DropBefore,
        Fault::DropAfter,
        Fault::Cut,
        Fault::Flip,
        Fault::Delay,
        Fault::Status500,
        Fault::Status503,
    ];

    /// Its name, as `SKILLPACK_FAULTS` takes it and the statistics print it.
    pub fn name(self) -> &'static str {
        match self {
            Fault::DropBefore => "drop-before",
            Fault::DropAfter => "drop-after",
            Fault::Cut => "cut",
            Fault::Flip => "flip",
            Fault::Delay => "delay",
            Fault::Status500 => "500",
            Fault::Status503 => "503",
        }
    }
}

/// How many faults to inject: each request has `probability` of one, of a kind drawn from
/// `kinds`, until `max` were injected.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Chance per request, 0 to 1.
    pub probability: f64,
    /// Most faults in all.
    pub max: usize,
    /// The kinds to draw from.
    pub kinds: Vec<Fault>,
}

impl FaultPlan {
    /// Every kind, or those `SKILLPACK_FAULTS` names (`drop-before,cut,…`), to narrow down a
    /// failure.
    pub fn from_env(probability: f64, max: usize) -> Self {
        let kinds = match std::env::var("SKILLPACK_FAULTS") {
            Ok(names) => names
                .split(',')
                .map(|name| {
                    Fault::ALL
                        .into_iter()
                        .find(|f| f.name() == name.trim())
                        .unwrap_or_else(|| panic!("SKILLPACK_FAULTS: no fault {name:?}"))
                })
                .collect(),
            Err(_) => Fault::ALL.to_vec(),
        };
        Self {
            probability,
            max,
            kinds,
        }
    }

    /// No faults but those scripted.
    pub fn quiet() -> Self {
        Self {
            probability: 0.0,
            max: 0,
            kinds: Vec::new(),
        }
    }
}

/// A request as it reached the proxy.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// When.
    pub at: Instant,
    /// Its method and target.
    pub request: String,
    /// Its `Range` header, if any (a resumed download).
    pub range: Option<String>,
    /// What was done to it.
    pub fault: Option<Fault>,
}

/// What went through the proxy.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Requests received.
    pub requests: usize,
    /// Faults injected, by kind.
    pub injected: BTreeMap<Fault, usize>,
    /// Bytes devices sent (heads and bodies, as on the wire).
    pub sent: u64,
    /// Bytes devices received.
    pub received: u64,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let faults: Vec<String> = self
            .injected
            .iter()
            .map(|(fault, n)| format!("{} {n}", fault.name()))
            .collect();
        write!(
            f,
            "{} requests, faults: {} ({}), devices sent {} B and received {} B",
            self.requests,
            self.injected.values().sum::<usize>(),
            faults.join(", "),
            self.sent,
            self.received
        )
    }
}

/// The proxy, listening on loopback until dropped.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accepting: Option<JoinHandle<()>>,
}

struct Shared {
    hubs: Vec<SocketAddr>,
    next_hub: AtomicUsize,
    plan: FaultPlan,
    faults_on: AtomicBool,
    state: Mutex<State>,
    /// Told of every request that comes in.
    arrived: Condvar,
    sent: AtomicU64,
    received: AtomicU64,
    stopping: AtomicBool,
}

struct State {
    rng: SeededRng,
    /// Faults for the next requests whose target starts with a prefix, in order, before
    /// any drawn at random.
    script: VecDeque<(String, Option<Fault>)>,
    injected: BTreeMap<Fault, usize>,
    log: Vec<Arrival>,
}

/// A fault chosen for one request, with the random numbers it needs.
#[derive(Debug, Clone, Copy)]
struct Decision {
    fault: Option<Fault>,
    /// For a delay, how long; for a flip, which byte and which bits.
    draw: u64,
}

impl Proxy {
    /// Starts a proxy to `hubs` (taken in turn), drawing faults by `plan` from `seed`. Faults
    /// are on.
    pub fn start(hubs: Vec<SocketAddr>, plan: FaultPlan, seed: u64) -> io::Result<Self> {
        assert!(!hubs.is_empty(), "a proxy needs a hub");
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            hubs,
            next_hub: AtomicUsize::new(0),
            plan,
            faults_on: AtomicBool::new(true),
            state: Mutex::new(State {
                rng: SeededRng::new(seed),
                script: VecDeque::new(),
                injected: BTreeMap::new(),
                log: Vec::new(),
            }),
            arrived: Condvar::new(),
            sent: AtomicU64::new(0),
            received: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
        });
        let accepting = std::thread::spawn({
            let shared = shared.clone();
            move || {
                for device in listener.incoming() {
                    if shared.stopping.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Ok(device) = device {
                        let shared = shared.clone();
                        std::thread::spawn(move || serve(&shared, device));
                    }
                }
            }
        });
        Ok(Self {
            addr,
            shared,
            accepting: Some(accepting),
        })
    }

    /// The URL devices use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Turns random faults on or off (scripted ones still happen).
    pub fn set_faults(&self, on: bool) {
        self.shared.faults_on.store(on, Ordering::SeqCst);
    }

    /// What the next requests whose target starts with `prefix` get, in order (`None`:
    /// passed on), before any random fault.
    pub fn script(&self, prefix: &str, faults: impl IntoIterator<Item = Option<Fault>>) {
        let entries = faults.into_iter().map(|f| (prefix.to_owned(), f));
        self.shared.state().script.extend(entries);
    }

    /// What went through so far.
    pub fn stats(&self) -> Stats {
        let state = self.shared.state();
        Stats {
            requests: state.log.len(),
            injected: state.injected.clone(),
            sent: self.shared.sent.load(Ordering::SeqCst),
            received: self.shared.received.load(Ordering::SeqCst),
        }
    }

    /// Waits until `n` requests have come in all, or `timeout` passed; whether they had.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> bool {
        let state = self.shared.state();
        let (state, _) = self
            .shared
            .arrived
            .wait_timeout_while(state, timeout, |s| s.log.len() < n)
            .unwrap_or_else(|p| p.into_inner());
        state.log.len() >= n
    }

    /// Every request so far, in the order they came.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.shared.state().log.clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accepting thread, which then sees that it is stopping.
        let _ = TcpStream::connect(self.addr);
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Chooses what happens to `request`, and logs it.
    fn decide(&self, request: &Message) -> Decision {
        let on = self.faults_on.load(Ordering::SeqCst);
        let mut state = self.state();
        let target = request.target();
        let scripted = state
            .script
            .iter()
            .position(|(p, _)| target.starts_with(p.as_str()));
        let fault = match scripted.and_then(|i| state.script.remove(i)) {
            Some((_, scripted)) => scripted,
            None => {
                let budget_left = state.injected.values().sum::<usize>() < self.plan.max;
                let roll = state.rng.below(1_000_000) as f64 / 1e6;
                (on && budget_left && roll < self.plan.probability && !self.plan.kinds.is_empty())
                    .then(|| {
                        let i = state.rng.below(self.plan.kinds.len() as u64) as usize;
                        self.plan.kinds[i]
                    })
            }
        };
        if let Some(fault) = fault {
            *state.injected.entry(fault).or_default() += 1;
        }
        let draw = state.rng.next_u64();
        state.log.push(Arrival {
            at: Instant::now(),
            request: format!("{} {}", request.method(), request.target()),
            range: request.header("range").map(str::to_owned),
            fault,
        });
        self.arrived.notify_all();
        Decision { fault, draw }
    }

    /// Sends `request` to the next hub on a new connection and reads its whole answer.
    fn forward(&self, request: &Message) -> io::Result<Message> {
        let i = self.next_hub.fetch_add(1, Ordering::SeqCst) % self.hubs.len();
        let mut hub = TcpStream::connect_timeout(&self.hubs[i], CONNECT_TIMEOUT)?;
        hub.set_read_timeout(Some(ANSWER_TIMEOUT))?;
        hub.set_write_timeout(Some(ANSWER_TIMEOUT))?;
        hub.write_all(&request.encode("close").0)?;
        let to_head = request.method().eq_ignore_ascii_case("HEAD");
        read_message(&mut BufReader::new(hub), Side::Response { to_head })?
            .ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
    }
}

/// Serves one device's connection, request after request, until it closes or a fault
/// drops it.
fn serve(shared: &Shared, device: TcpStream) {
    let _ = device.set_read_timeout(Some(IDLE));
    let Ok(reading) = device.try_clone() else {
        return;
    };
    let mut from_device = BufReader::new(Metered {
        inner: reading,
        count: &shared.sent,
    });
    let mut to_device = Metered {
        inner: device,
        count: &shared.received,
    };
    while let Ok(Some(request)) = read_message(&mut from_device, Side::Request) {
        let decision = shared.decide(&request);
        match answer(shared, &request, decision, &mut to_device) {
            Ok(true) => continue,
            Ok(false) | Err(_) => return,
        }
    }
}

/// Answers one request as `decision` says; whether the connection stays open.
fn answer(
    shared: &Shared,
    request: &Message,
    decision: Decision,
    device: &mut impl Write,
) -> io::Result<bool> {
    match decision.fault {
        Some(Fault::DropBefore) => return Ok(false),
        Some(Fault::Status500) => {
            let body = br#"{"error":{"code":"internal","message":"injected by the fault proxy"}}"#;
            let failed = Message::response(500, "Internal Server Error", "application/json", body);
            return send(device, &failed, request);
        }
        Some(Fault::Status503) => {
            let busy = Message::response(503, "Service Unavailable", "text/plain", b"no hub");
            return send(device, &busy, request);
        }
        Some(Fault::Delay) => {
            let millis = decision.draw % (MAX_DELAY.as_millis() as u64 + 1);
            std::thread::sleep(Duration::from_millis(millis));
        }
        _ => {}
    }
    let mut response = shared.forward(request).unwrap_or_else(|_| {
        Message::response(502, "Bad Gateway", "text/plain", b"no hub answered")
    });
    match decision.fault {
        Some(Fault::DropAfter) => Ok(false),
        Some(Fault::Cut) => {
            let (bytes, body_at) = response.encode("keep-alive");
            let cut = match bytes.len() - body_at {
                0 => body_at / 2,
                body => body_at + body / 2,
            };
            device.write_all(&bytes[..cut])?;
            device.flush()?;
            Ok(false)
        }
        Some(Fault::Flip) => {
            if !response.body.is_empty() {
                let at = (decision.draw % response.body.len() as u64) as usize;
                // Any of the 255 changes of one byte.
                response.body[at] ^= 1 + (decision.draw >> 32) as u8 % 255;
            }
            send(device, &response, request)
        }
        _ => send(device, &response, request),
    }
}

/// Writes `response` to the device; whether the connection stays open (the device may
/// have asked to close it).
fn send(device: &mut impl Write, response: &Message, request: &Message) -> io::Result<bool> {
    let keep = !request.wants_close();
    let (bytes, _) = response.encode(if keep { "keep-alive" } else { "close" });
    device.write_all(&bytes)?;
    device.flush()?;
    Ok(keep)
}

/// A stream that adds the bytes moved through it to a counter.
struct Metered<'a, S> {
    inner: S,
    count: &'a AtomicU64,
}

impl<S: Read> Read for Metered<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<S: Write> Write for Metered<'_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
