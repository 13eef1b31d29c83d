//! What a holder of many devices' records (the hub) makes of a record that arrives out of
//! order: which stored records it needs to look at, the gaps and forks the record makes in
//! its device's chain, and which records of a batch are new. Unlike the strict
//! [`verify_chain`](super::verify_chain), nothing here refuses a record for its place in the
//! chain: gaps and forks are kept and flagged for a trainer to look at.

use std::fmt;

use super::admit::VerifiedRecord;
use crate::hash::ContentHash;

/// A record already held, as the chain rules see it: its number, its hash and what it
/// points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    /// The record's number in its device's chain.
    pub seq: u64,
    /// The hash the next record points at.
    pub hash: ContentHash,
    /// The hash it points at (`None` for a device's first record).
    pub prev: Option<ContentHash>,
}

/// A record already held under an id a batch brings again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRecord {
    /// The record id.
    pub id: String,
    /// The hash of the record held under it.
    pub hash: ContentHash,
}

/// A gap or a fork a record makes in its device's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainFlag {
    /// The record before it has not arrived (yet).
    Gap {
        /// The number of the missing record.
        missing: u64,
    },
    /// Another record with the same number is held: the device's chain split.
    SecondAtSeq {
        /// The number both records carry.
        seq: u64,
    },
    /// The record before it is held but is not the one it points at.
    DoesNotFollow {
        /// The number of the record it should follow.
        seq: u64,
    },
    /// The record after it arrived first and points at another record.
    SuccessorDoesNotFollow {
        /// The successor's number.
        seq: u64,
    },
}

impl ChainFlag {
    /// The kind as stored and sent in a record's note: `gap` or `fork`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Gap { .. } => "gap",
            Self::SecondAtSeq { .. }
            | Self::DoesNotFollow { .. }
            | Self::SuccessorDoesNotFollow { .. } => "fork",
        }
    }
}

impl fmt::Display for ChainFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gap { missing } => write!(f, "record {missing} has not arrived"),
            Self::SecondAtSeq { seq } => write!(f, "a second record numbered {seq}"),
            Self::DoesNotFollow { seq } => write!(f, "does not follow record {seq}"),
            Self::SuccessorDoesNotFollow { seq } => write!(f, "record {seq} does not follow it"),
        }
    }
}

/// The gaps and forks a record (number `seq`, pointing at `prev`, hashing to `hash`) makes
/// in its device's chain, given the held records numbered just before, at and just after it.
pub fn chain_flags(
    seq: u64,
    prev: Option<ContentHash>,
    hash: &ContentHash,
    neighbours: &[StoredLink],
) -> Vec<ChainFlag> {
    let mut flags = Vec::new();
    if neighbours.iter().any(|n| n.seq == seq) {
        flags.push(ChainFlag::SecondAtSeq { seq });
    }
    if seq > 1 {
        let mut before = neighbours.iter().filter(|n| n.seq == seq - 1).peekable();
        if before.peek().is_none() {
            flags.push(ChainFlag::Gap { missing: seq - 1 });
        } else if !before.any(|n| prev == Some(n.hash)) {
            flags.push(ChainFlag::DoesNotFollow { seq: seq - 1 });
        }
    }
    // A successor that arrived first (through a gap) must point at this record.
    if neighbours
        .iter()
        .any(|n| n.seq == seq.saturating_add(1) && n.prev.as_ref() != Some(hash))
    {
        flags.push(ChainFlag::SuccessorDoesNotFollow { seq: seq + 1 });
    }
    flags
}

/// The note of an accepted record on the wire: the kinds of flag it raised, comma-joined
/// (`gap`, `fork,fork`), or none.
pub fn flag_note(flags: &[ChainFlag]) -> Option<String> {
    (!flags.is_empty()).then(|| {
        flags
            .iter()
            .map(ChainFlag::kind)
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// What becomes of one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// New: store it, with the gaps and forks it makes.
    Store(Vec<ChainFlag>),
    /// The same record is already held: a harmless repeat.
    Duplicate,
    /// Other content is already held under its id: refused, not stored.
    IdTaken,
}

impl Decision {
    /// The answer for a record whose id is already held with `held`: the same record again
    /// is a duplicate; different content under the same id is refused.
    pub fn already_stored(held: &ContentHash, hash: &ContentHash) -> Self {
        if held == hash {
            Self::Duplicate
        } else {
            Self::IdTaken
        }
    }
}

/// A record of a batch and what becomes of it.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    /// The record.
    pub record: &'a VerifiedRecord,
    /// What to do with it.
    pub decision: Decision,
}

/// Decides, for a batch of one device's records in chain order, which are new (and the flags
/// each raises) and which are already held, from two lookups made for the whole batch: the
/// held records with the batch's ids, and the device's held records numbered next to the
/// batch's (see [`neighbour_seqs`]). Records earlier in the batch count as held for the later
/// ones, so a batch links up with itself. One decision per record, in order.
pub fn plan_ingest<'a>(
    records: &'a [VerifiedRecord],
    held: &[HeldRecord],
    mut neighbours: Vec<StoredLink>,
) -> Vec<Planned<'a>> {
    let mut plan: Vec<Planned<'a>> = Vec::with_capacity(records.len());
    for r in records {
        let rec = &r.signed.record;
        let already = held
            .iter()
            .find(|h| h.id == rec.id)
            .map(|h| h.hash)
            .or_else(|| {
                plan.iter()
                    .find(|p| {
                        matches!(p.decision, Decision::Store(_))
                            && p.record.signed.record.id == rec.id
                    })
                    .map(|p| p.record.hash)
            });
        let decision = match already {
            Some(held) => Decision::already_stored(&held, &r.hash),
            None => {
                let flags = chain_flags(rec.seq, rec.prev, &r.hash, &neighbours);
                neighbours.push(StoredLink {
                    seq: rec.seq,
                    hash: r.hash,
                    prev: rec.prev,
                });
                Decision::Store(flags)
            }
        };
        plan.push(Planned {
            record: r,
            decision,
        });
    }
    plan
}

/// The numbers whose held records [`plan_ingest`] needs: each record's own, the one before
/// and the one after, sorted and without repeats.
pub fn neighbour_seqs(records: &[VerifiedRecord]) -> Vec<u64> {
    let mut seqs: Vec<u64> = records
        .iter()
        .flat_map(|r| {
            let seq = r.signed.record.seq;
            [seq.saturating_sub(1), seq, seq.saturating_add(1)]
        })
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    seqs
}
