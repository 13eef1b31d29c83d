//! Signed statements: result records and their hash chain, a learner's binding of a device
//! (`binding`), and a publisher's grant of more attempts (`grant`). Every submitted attempt
//! becomes a record signed by the device key, numbered, and chained by hash to the one
//! before, so whoever holds the records (the learner's phone, a trainer's relay file, the
//! hub) can see a gap, a fork or an edit. Pure: ids, times and keys come in as arguments.
//! `admit` decides which records a holder takes from a device; `chain` what a holder makes
//! of records that arrive out of order (gaps and forks, flagged rather than refused).

mod admit;
mod assemble;
mod binding;
mod chain;
mod error;
mod grant;
mod record;
mod relay;
mod xapi;

pub use admit::{admit, check_sender, Admitted, Refusal, Refused, VerifiedRecord};
pub use assemble::{ChainEnd, Submission};
pub(crate) use binding::check_code as check_enrolment_code;
pub use binding::{DeviceBinding, Enrolment, MAX_ENROLMENT_CODE};
pub use chain::{
    chain_flags, flag_note, neighbour_seqs, plan_ingest, ChainFlag, Decision, HeldRecord, Planned,
    StoredLink,
};
pub use error::LedgerError;
pub use grant::{AttemptGrant, CheckedGrant, GrantTerms, MAX_GRANTED_ATTEMPTS};
#[cfg(test)]
use record::verify_many;
pub use record::{
    record_id, record_time, responses_digest, verify_chain, verify_chain_after, PackRef, Response,
    ResultRecord, SignedRecord,
};
pub use relay::{RelayBundle, MAX_RELAY_BYTES, RELAY_FORMAT};
pub use xapi::{statements as xapi_statements, XapiContext, DEFAULT_HOME_PAGE};

#[cfg(test)]
mod tests;
