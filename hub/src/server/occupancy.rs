//! Who holds the hub's connections: how many each client address has open (past its cap a
//! new one is refused, so one client cannot take every slot), and which are idle (connected
//! or kept alive, with no request in flight), so that when every slot is taken the one idle
//! longest is closed to make room rather than a new client waiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::sync::Notify;

use crate::limits::Address;

/// The open connections, by address and by idleness.
pub(super) struct Occupancy {
    per_address: usize,
    /// Peers not capped: the operator's own proxies, whose connections carry many clients.
    exempt: Vec<IpAddr>,
    base: Instant,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    by_address: HashMap<Address, usize>,
    open: HashMap<u64, Arc<Seat>>,
}

/// One open connection, as the bookkeeping sees it.
pub(super) struct Seat {
    /// Requests in flight: from a request's head to the end of its answer's body.
    in_flight: AtomicUsize,
    /// Milliseconds from the book's base to when the last request ended (or the connection
    /// opened).
    idle_since_ms: AtomicU64,
    /// Told when the connection should close to make room.
    pub(super) shed: Notify,
}

/// A connection's place in the book; it leaves when this is dropped.
pub(super) struct Ticket {
    book: Arc<Occupancy>,
    id: u64,
    address: Option<Address>,
    /// The connection's seat.
    pub(super) seat: Arc<Seat>,
}

/// A request in flight on a connection; the connection is idle again when every one is dropped.
pub(super) struct Busy {
    book: Arc<Occupancy>,
    seat: Arc<Seat>,
}

impl Occupancy {
    pub(super) fn new(per_address: usize, exempt: Vec<IpAddr>) -> Arc<Self> {
        Arc::new(Self {
            per_address: per_address.max(1),
            exempt: exempt.into_iter().map(|ip| ip.to_canonical()).collect(),
            base: Instant::now(),
            inner: Mutex::default(),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A place for a new connection from `peer`, or `None` when its address already holds
    /// as many as it may.
    pub(super) fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Ticket> {
        let capped = !self.exempt.contains(&peer.to_canonical());
        let address = capped.then(|| Address::from(peer));
        let seat = Arc::new(Seat {
            in_flight: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(self.now_ms()),
            shed: Notify::new(),
        });
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(address) = address {
            let held = inner.by_address.entry(address).or_default();
            if *held >= self.per_address {
                return None;
            }
            *held += 1;
        }
        inner.next_id += 1;
        let id = inner.next_id;
        inner.open.insert(id, Arc::clone(&seat));
        Some(Ticket {
            book: Arc::clone(self),
            id,
            address,
            seat,
        })
    }

    /// Tells the connection idle longest, other than `newcomer`'s, to close; false when none
    /// is idle.
    pub(super) fn shed_oldest_idle(&self, newcomer: &Ticket) -> bool {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let oldest = inner
            .open
            .iter()
            .filter(|(id, seat)| **id != newcomer.id && seat.in_flight.load(Ordering::Acquire) == 0)
            .map(|(_, seat)| seat)
            .min_by_key(|seat| seat.idle_since_ms.load(Ordering::Relaxed));
        match oldest {
            Some(seat) => {
                seat.shed.notify_one();
                true
            }
            None => false,
        }
    }
}

impl Ticket {
    /// Marks a request in flight until the returned guard is dropped.
    pub(super) fn busy(&self) -> Busy {
        self.seat.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy {
            book: Arc::clone(&self.book),
            seat: Arc::clone(&self.seat),
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.seat
            .idle_since_ms
            .store(self.book.now_ms(), Ordering::Relaxed);
        self.seat.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut inner = self
            .book
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        inner.open.remove(&self.id);
        if let Some(address) = self.address {
            if let Some(held) = inner.by_address.get_mut(&address) {
                *held -= 1;
                if *held == 0 {
                    inner.by_address.remove(&address);
                }
            }
        }
    }
}
