//! The hub's storage: publishers, used nonces, published packs and their chunks, enrolment codes,
//! devices, records and flags. Two engines (ADR 0001) with the same async methods, one folder
//! each with the same file names: `sqlite/` (the default) and `postgres/`. What both share
//! (row types) lives once in `rows`, the decoding and small rules in `rules`, what a reader may see in `scope`; the ledger's rules come from core.
//! [`HubDb`] picks the engine once, at open, and each method hands the call to it.

mod export;
mod postgres;
mod rows;
mod rules;
mod scope;
mod sqlite;

use std::time::Duration;

use skillpack_core::hex;
use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::VerifiedRecord;
use skillpack_core::protocol::{
    CatalogEntry, GroupName, HeldRecords, PublishResponse, RecordResult,
};

pub use export::{
    module_book, results_csv, results_xapi, results_xapi_array, summary_csv, CsvOptions,
    ModuleBook, Titles,
};
pub use rows::{
    AttemptGrantRow, AuditRow, ChunkPlace, CodeRow, CredentialInsert, CredentialRevocation,
    DeviceJoin, DeviceRetirement, ExchangeCompletion, ExchangeRow, FlagRow, GroupRow,
    HeldCredentialRow, HeldGrantRow, HistoryRow, IssuedRow, IssuerChange, IssuerRow, KnownDevice,
    LearnerLabel, LearnerLink, LearnerRow, LinkRefusal, NewAttemptGrant, NewCredential,
    NewExchange, NewPack, OpenedSession, PackChunk, PackModule, PackPlace, PackRow, PublishRefusal,
    RegisterRefusal, Retired, StoredResult, UnissuedPass, WalletCopy, WebGrant, WebSession,
};
pub use rules::{normalize_code, PIECE};

pub(crate) use rules::random_bytes;
pub use scope::{ResultQuery, Scope};

use self::postgres::PgHub;
use self::sqlite::SqliteHub;
use crate::error::HubError;
use crate::nonce::{now_ms, NonceKey, NonceRefusal};
use crate::pack_store::{PackStore, PacksAt};

/// How far apart the clocks of a hub's instances may be, in milliseconds, with every nonce
/// still used once: a used nonce is remembered this long past its expiry. A nonce issued by
/// one instance and checked by another whose clock is ahead is taken if it comes back
/// within its five minutes less the difference. NTP keeps instances within a second.
pub const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// Which engine holds the data.
#[derive(Clone)]
enum Engine {
    Sqlite(SqliteHub),
    Postgres(PgHub),
}

/// Hands a call to whichever engine holds the data: both have a method of the same name and
/// arguments, so `on_engine!(self, e => e.catalog(group))` is that method on either.
macro_rules! on_engine {
    ($self:ident, $engine:ident => $call:expr) => {
        match &$self.engine {
            Engine::Sqlite($engine) => $call.await,
            Engine::Postgres($engine) => $call.await,
        }
    };
}

mod pack_bytes;

pub use pack_bytes::PackStoreCheck;

/// The hub's database, shared by every request; cheap to clone. Every method is async: the
/// operator's commands call them from a runtime of their own.
#[derive(Clone)]
pub struct HubDb {
    engine: Engine,
    /// The nonce secret, read once at open (see [`crate::nonce`]).
    nonce_key: std::sync::Arc<NonceKey>,
    /// Where packs' bytes are; the database describes them.
    packs: PackStore,
}

impl std::fmt::Debug for HubDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HubDb({})", self.engine())
    }
}

impl HubDb {
    /// Opens the database at `url` for an operator's command: an SQLite file must already be
    /// there (a mistyped path is an error, never a new empty hub); a PostgreSQL database must
    /// exist on its server anyway.
    /// Its packs are at `packs`, or where [`PacksAt::default_for`] says.
    pub async fn open_existing(url: &str, packs: Option<&PacksAt>) -> Result<Self, HubError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if !std::path::Path::new(path).is_file() {
                return Err(HubError::NoDatabase(path.to_owned()));
            }
        }
        Self::open_at(url, packs).await
    }

    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`), creating and migrating
    /// it as needed, with its packs where [`PacksAt::default_for`] says.
    pub async fn open(url: &str) -> Result<Self, HubError> {
        Self::open_at(url, None).await
    }

    /// [`HubDb::open`] with packs at `packs` (`None`: where [`PacksAt::default_for`] says).
    pub async fn open_at(url: &str, packs: Option<&PacksAt>) -> Result<Self, HubError> {
        let packs = match packs {
            Some(at) => PackStore::open(at)?,
            None => PackStore::open(&PacksAt::default_for(url))?,
        };
        let engine = if let Some(path) = url.strip_prefix("sqlite://") {
            Engine::Sqlite(SqliteHub::open(std::path::Path::new(path)).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres(PgHub::open(url).await?)
        } else {
            return Err(HubError::BadDatabaseUrl(url.to_owned()));
        };
        let secret = match &engine {
            Engine::Sqlite(e) => e.nonce_secret().await?,
            Engine::Postgres(e) => e.nonce_secret().await?,
        };
        Ok(Self {
            engine,
            nonce_key: std::sync::Arc::new(NonceKey::from_bytes(secret)),
            packs,
        })
    }

    /// The engine's name, for the health endpoint.
    pub fn engine(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// How PostgreSQL's connection pool stands; `None` on SQLite (one writer and a few
    /// readers, opened at start).
    pub fn pool_figures(&self) -> Option<crate::metrics::PoolFigures> {
        match &self.engine {
            Engine::Sqlite(_) => None,
            Engine::Postgres(e) => Some(e.pool_figures()),
        }
    }

    /// Where the hub keeps packs' bytes.
    pub fn pack_store(&self) -> &PackStore {
        &self.packs
    }

    /// The schema version the database is at (the number of migration steps run).
    pub async fn schema_version(&self) -> Result<u32, HubError> {
        on_engine!(self, e => e.schema_version())
    }

    /// Registers a publisher, or renames one (the operator's command).
    pub async fn add_publisher(&self, key: PublicKey, name: String) -> Result<(), HubError> {
        on_engine!(self, e => e.add_publisher(key, name))
    }

    /// True when the key belongs to a registered publisher.
    pub async fn is_publisher(&self, key: PublicKey) -> Result<bool, HubError> {
        on_engine!(self, e => e.is_publisher(key))
    }

    /// A new single-use nonce valid for `ttl` by the hub's clock. Nothing is stored: the
    /// nonce carries its expiry under the hub's MAC.
    pub fn issue_nonce(&self, ttl: Duration) -> Result<String, HubError> {
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let random = rules::random_bytes()?;
        Ok(self
            .nonce_key
            .issue(now_ms().saturating_add(ttl_ms), random))
    }

    /// Uses up a nonce of a request whose signature verified: checks its MAC and expiry
    /// (the hub's clock), then remembers it until it expires; the refusal says why not.
    pub async fn consume_nonce(&self, nonce: &str) -> Result<Result<(), NonceRefusal>, HubError> {
        let now = now_ms();
        let good = match self.nonce_key.check(nonce, now) {
            Ok(good) => good,
            Err(refusal) => return Ok(Err(refusal)),
        };
        // Used nonces are forgotten only well after they expire: an instance whose clock is
        // ahead must not forget one that an instance whose clock is behind still takes.
        let forget_before = now.saturating_sub(CLOCK_SKEW_MS);
        let fresh = on_engine!(self, e => e.remember_nonce(good, forget_before))?;
        Ok(if fresh {
            Ok(())
        } else {
            Err(NonceRefusal::Used)
        })
    }

    /// How many used nonces storage remembers (for tests and the operator: nonces issued
    /// but never used are not among them).
    pub async fn stored_nonces(&self) -> Result<u64, HubError> {
        on_engine!(self, e => e.stored_nonces())
    }

    /// Stores a verified pack once by hash and offers it to its group (a pack already stored
    /// is offered to a second group so); refused when other content already has its id,
    /// version and variant. The bytes go to the pack store first and are durable there before
    /// the database names them: a crash between the two leaves an object no one names, which
    /// the next upload of the pack finds and keeps.
    pub async fn put_pack(
        &self,
        pack: NewPack,
    ) -> Result<Result<PublishResponse, PublishRefusal>, HubError> {
        self.one_group_name(&pack.group).await?;
        let hash = pack.hash;
        if on_engine!(self, e => e.pack_place(hash))?.is_none() {
            self.packs.put_file(hash, &pack.file, pack.size).await?;
        }
        on_engine!(self, e => e.put_pack(pack))
    }

    /// `group`, checked against the one rule, unless another group the hub holds has the same
    /// name in other letter case ([`HubError::GroupNamedOtherwise`]): `nairobi-cbd` beside
    /// `Nairobi-CBD` would be a second, empty group whose learners see no packs.
    pub async fn one_group_name(&self, group: &str) -> Result<String, HubError> {
        let group = GroupName::parse(group)?.into_inner();
        let alike = self
            .groups(&Scope::Everything)
            .await?
            .into_iter()
            .find(|held| held.group != group && held.group.eq_ignore_ascii_case(&group));
        match alike {
            Some(held) => Err(HubError::GroupNamedOtherwise {
                given: group,
                held: held.group,
            }),
            None => Ok(group),
        }
    }

    /// Withdraws every version of pack `id` from `group` (stored packs stay, for other
    /// groups); gives how many offers ended.
    pub async fn withdraw(&self, group: &str, id: &str) -> Result<u64, HubError> {
        let (group, id) = (group.to_owned(), id.to_owned());
        on_engine!(self, e => e.withdraw(group, id))
    }

    /// The enrolment codes of the groups in `scope`, by group, oldest first.
    pub async fn enrolment_codes(&self, scope: &Scope) -> Result<Vec<CodeRow>, HubError> {
        let scope = scope.clone();
        on_engine!(self, e => e.enrolment_codes(scope))
    }

    /// Revokes an enrolment code (typed in any case, with or without hyphens): no device
    /// joins with it after. False when there is no such code or it was revoked before.
    pub async fn revoke_code(&self, code: &str) -> Result<bool, HubError> {
        let code = normalize_code(code);
        on_engine!(self, e => e.revoke_code(code))
    }

    /// The publisher who owns the pack id `id`: the one whose pack of that id the hub stored
    /// first, in any group; `None` when no pack has the id yet.
    pub async fn pack_owner(&self, id: &str) -> Result<Option<PublicKey>, HubError> {
        let id = id.to_owned();
        let Some(bytes) = on_engine!(self, e => e.pack_owner(id))? else {
            return Ok(None);
        };
        stored_publisher(&bytes).map(Some)
    }

    /// The newest version of each pack (in each variant) offered to `group`, of the publisher
    /// that owns its id (see [`HubDb::pack_owner`]): another publisher's pack of an owned id
    /// is never offered.
    pub async fn catalog(&self, group: String) -> Result<Vec<CatalogEntry>, HubError> {
        on_engine!(self, e => e.catalog(group))
    }

    /// A number that moves whenever any group's catalog may have changed (an offer made or
    /// ended, by any process on the database): a catalog built at one number holds until
    /// the number moves.
    pub async fn catalog_generation(&self) -> Result<i64, HubError> {
        on_engine!(self, e => e.catalog_generation())
    }

    /// A new enrolment code for `group` (optionally limited in uses, and valid until a Unix
    /// time in seconds); [`HubError::BadGroup`] when the name breaks the one rule for group
    /// names, so a device never joins a group its requests cannot name.
    pub async fn create_enrolment(
        &self,
        group: &str,
        uses: Option<u32>,
        expires_at: Option<i64>,
    ) -> Result<String, HubError> {
        let group = self.one_group_name(group).await?;
        let code = rules::new_code()?;
        let stored = code.clone();
        on_engine!(self, e => e.create_enrolment(stored, group, uses, expires_at))?;
        Ok(code)
    }

    /// Takes a device in for its learner: a device the hub knows gets its group back (and
    /// its binding kept, if the hub had none); a new one uses up one use of its code. The
    /// group, or why not.
    pub async fn register_device(
        &self,
        join: DeviceJoin,
    ) -> Result<Result<String, RegisterRefusal>, HubError> {
        on_engine!(self, e => e.register_device(join))
    }

    /// A registered device's learner, group and whether it is bound.
    pub async fn device(&self, device: PublicKey) -> Result<Option<KnownDevice>, HubError> {
        on_engine!(self, e => e.device(device))
    }

    /// How many of a device's records the hub holds, and the number of the last.
    pub async fn held_records(&self, device: PublicKey) -> Result<HeldRecords, HubError> {
        on_engine!(self, e => e.held_records(device))
    }

    /// Stores admitted records of one device; one result per record, in chain order.
    pub async fn ingest(
        &self,
        device: PublicKey,
        records: Vec<VerifiedRecord>,
    ) -> Result<Vec<RecordResult>, HubError> {
        on_engine!(self, e => e.ingest(device, records))
    }

    /// The groups in `scope`, with what is offered to each and who is in it.
    pub async fn groups(&self, scope: &Scope) -> Result<Vec<GroupRow>, HubError> {
        let scope = scope.clone();
        on_engine!(self, e => e.groups(scope))
    }

    /// The registered devices in `scope` (of one learner, when given), with their learners
    /// and results.
    pub async fn learners(
        &self,
        scope: &Scope,
        learner: Option<&str>,
    ) -> Result<Vec<LearnerRow>, HubError> {
        let (scope, learner) = (scope.clone(), learner.map(str::to_owned));
        on_engine!(self, e => e.learners(scope, learner))
    }

    /// The stored records `query` asks for, in the order received.
    pub async fn results(&self, query: ResultQuery) -> Result<Vec<StoredResult>, HubError> {
        on_engine!(self, e => e.results(query))
    }

    /// The learner's records from their devices other than `except`, in order of id after
    /// `after`, at most `limit`: what a restored or second phone takes back.
    pub async fn learner_history(
        &self,
        learner: &str,
        except: PublicKey,
        after: Option<String>,
        limit: u32,
    ) -> Result<Vec<HistoryRow>, HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.learner_history(learner, except, after, limit))
    }

    /// How many of the learner's records the hub holds from their devices other than
    /// `except`.
    pub async fn history_count(&self, learner: &str, except: PublicKey) -> Result<u64, HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.history_count(learner, except))
    }

    /// Retires a device (lost, or held by someone else), with an entry in the audit trail:
    /// its later pushes, registrations and relay bundles are refused; its records stay.
    pub async fn retire_device(&self, retirement: DeviceRetirement) -> Result<Retired, HubError> {
        on_engine!(self, e => e.retire_device(retirement))
    }

    /// Links a learner's new identity to the one they had (a phone lost without a backup),
    /// with an entry in the audit trail; gives the identity it now counts as (the first
    /// one, when that was linked itself), or why not.
    pub async fn link_learner(
        &self,
        link: LearnerLink,
    ) -> Result<Result<String, LinkRefusal>, HubError> {
        on_engine!(self, e => e.link_learner(link))
    }

    /// Keeps the name a learner chose to show the trainers of their group (`None`: they
    /// stopped showing one). The caller checked it with `name::display_name`.
    pub async fn set_learner_name(
        &self,
        learner: &str,
        name: Option<String>,
    ) -> Result<(), HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.set_learner_name(learner, name))
    }

    /// Writes (or removes) a trainer's label for a learner the hub knows, with an entry in
    /// the audit trail; false when no device of that learner is registered.
    pub async fn label_learner(&self, label: LearnerLabel) -> Result<bool, HubError> {
        on_engine!(self, e => e.label_learner(label))
    }

    /// The audit trail, oldest first.
    pub async fn audit(&self) -> Result<Vec<AuditRow>, HubError> {
        on_engine!(self, e => e.audit())
    }

    /// Gaps and forks flagged so far in the chains of devices in `scope` (of one learner,
    /// when given), oldest first.
    pub async fn flags(
        &self,
        scope: &Scope,
        learner: Option<&str>,
    ) -> Result<Vec<FlagRow>, HubError> {
        let (scope, learner) = (scope.clone(), learner.map(str::to_owned));
        on_engine!(self, e => e.flags(scope, learner))
    }

    /// How many records the hub holds.
    pub async fn record_count(&self) -> Result<u64, HubError> {
        on_engine!(self, e => e.record_count())
    }

    /// Sets a provider's issuer (its key, profile, endorsements and status list), replacing
    /// what the hub held for that publisher, with an entry in the audit trail; gives the
    /// issuer's number.
    pub async fn set_issuer(
        &self,
        issuer: IssuerRow,
        change: IssuerChange,
    ) -> Result<u64, HubError> {
        on_engine!(self, e => e.set_issuer(issuer, change))
    }

    /// The issuer of a provider, by its publisher key.
    pub async fn issuer_of(&self, publisher: PublicKey) -> Result<Option<IssuerRow>, HubError> {
        on_engine!(self, e => e.issuer_of(publisher.to_bytes()))
    }

    /// An issuer by its number.
    pub async fn issuer(&self, id: u64) -> Result<Option<IssuerRow>, HubError> {
        on_engine!(self, e => e.issuer(id))
    }

    /// The learners with a passing record that no credential names yet (their provider had
    /// no endorsed issuer, or the hub not the pack, when it came).
    pub async fn learners_with_unissued_passes(&self) -> Result<Vec<String>, HubError> {
        on_engine!(self, e => e.learners_with_unissued_passes())
    }

    /// Up to `limit` of a learner's passing records that no credential names yet, oldest
    /// first.
    pub async fn unissued_passes(
        &self,
        learner: &str,
        limit: u32,
    ) -> Result<Vec<UnissuedPass>, HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.unissued_passes(learner, limit))
    }

    /// A module of a stored pack as compiled, with the pack's publisher key.
    pub async fn pack_module(
        &self,
        pack: [u8; 32],
        module: &str,
    ) -> Result<Option<PackModule>, HubError> {
        let module = module.to_owned();
        let Some((publisher, body)) = on_engine!(self, e => e.pack_module(pack, module))? else {
            return Ok(None);
        };
        let module = serde_json::from_str(&body)
            .map_err(|e| HubError::Damaged(format!("a stored module: {e}")))?;
        Ok(Some(PackModule {
            publisher: stored_publisher(&publisher)?,
            module,
        }))
    }

    /// Every module of a stored pack as compiled (pathways among them), with the pack's
    /// publisher key.
    pub async fn pack_modules(&self, pack: [u8; 32]) -> Result<Vec<PackModule>, HubError> {
        let rows = on_engine!(self, e => e.pack_modules(pack))?;
        rows.into_iter()
            .map(|(publisher, body)| {
                Ok(PackModule {
                    publisher: stored_publisher(&publisher)?,
                    module: serde_json::from_str(&body)
                        .map_err(|e| HubError::Damaged(format!("a stored module: {e}")))?,
                })
            })
            .collect()
    }

    /// Stores an issued credential, unless its record has one or its status bit is taken.
    pub async fn add_credential(
        &self,
        credential: NewCredential,
    ) -> Result<CredentialInsert, HubError> {
        on_engine!(self, e => e.add_credential(credential))
    }

    /// Up to `limit` of a learner's credentials numbered after `after`, oldest first.
    pub async fn credentials_after(
        &self,
        learner: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<HeldCredentialRow>, HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.credentials_after(learner, after, limit))
    }

    /// The number of a learner's newest credential, if they have one.
    pub async fn newest_credential(&self, learner: &str) -> Result<Option<u64>, HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.newest_credential(learner))
    }

    /// Revokes a credential by its id, with an entry in the audit trail: `Some(true)` when
    /// revoked now, `Some(false)` when it already was, `None` when the hub issued no such
    /// credential.
    pub async fn revoke_credential(
        &self,
        revocation: CredentialRevocation,
    ) -> Result<Option<bool>, HubError> {
        on_engine!(self, e => e.revoke_credential(revocation))
    }

    /// The status bits of an issuer's revoked credentials.
    pub async fn revoked_indexes(&self, issuer: u64) -> Result<Vec<u64>, HubError> {
        on_engine!(self, e => e.revoked_indexes(issuer))
    }

    /// Stores a signed grant of more attempts (audited); gives its number.
    pub async fn add_grant(&self, grant: NewAttemptGrant) -> Result<u64, HubError> {
        on_engine!(self, e => e.add_grant(grant))
    }

    /// Up to `limit` of a learner's grants numbered after `after`, oldest first.
    pub async fn grants_after(
        &self,
        learner: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<HeldGrantRow>, HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.grants_after(learner, after, limit))
    }

    /// Every grant a learner was given, oldest first.
    pub async fn learner_grants(&self, learner: &str) -> Result<Vec<AttemptGrantRow>, HubError> {
        let learner = learner.to_owned();
        on_engine!(self, e => e.learner_grants(learner))
    }

    /// The credentials the hub issued (to one learner, when given), in the order issued.
    pub async fn issued_credentials(
        &self,
        learner: Option<&str>,
    ) -> Result<Vec<IssuedRow>, HubError> {
        let learner = learner.map(str::to_owned);
        on_engine!(self, e => e.issued_credentials(learner))
    }

    /// Opens an exchange for one of a learner's credentials, with an entry in the audit trail;
    /// exchanges that expired more than a day ago go.
    pub async fn open_exchange(&self, exchange: NewExchange) -> Result<(), HubError> {
        let hash = secret_hash(&exchange.id);
        on_engine!(self, e => e.open_exchange(hash, exchange, now_ms() / 1000))
    }

    /// The exchange whose id is `id`, if there is one.
    pub async fn exchange(&self, id: &str) -> Result<Option<ExchangeRow>, HubError> {
        let hash = secret_hash(id);
        on_engine!(self, e => e.exchange(hash))
    }

    /// Completes an exchange: stores the credential issued to the wallet and uses the exchange
    /// up, with an entry in the audit trail, in one transaction; or says why not (used,
    /// expired, the learner's credential revoked, the bit taken).
    pub async fn complete_exchange(
        &self,
        copy: WalletCopy,
    ) -> Result<ExchangeCompletion, HubError> {
        let hash = secret_hash(&copy.exchange);
        on_engine!(self, e => e.complete_exchange(hash, copy, now_ms() / 1000))
    }

    /// A stored record by its id, as a pass to issue for (its hash and signed body).
    pub async fn stored_record(&self, record_id: &str) -> Result<Option<UnissuedPass>, HubError> {
        let record_id = record_id.to_owned();
        on_engine!(self, e => e.stored_record(record_id))
    }

    /// A one-time sign-in link's secret for `grant`, valid for `ttl` (only its hash is kept).
    pub async fn create_web_link(
        &self,
        grant: WebGrant,
        ttl: Duration,
    ) -> Result<String, HubError> {
        let secret = hex::encode(&rules::random_bytes::<32>()?);
        let expires_at = now_ms() / 1000 + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let hash = secret_hash(&secret);
        on_engine!(self, e => e.create_web_link(hash, grant, expires_at))?;
        Ok(secret)
    }

    /// Uses up a sign-in link: a new session's cookie secret and the session, or `None` for
    /// a link unknown, used or expired.
    pub async fn redeem_web_link(
        &self,
        token: &str,
        session_ttl: Duration,
    ) -> Result<Option<OpenedSession>, HubError> {
        let secret = hex::encode(&rules::random_bytes::<32>()?);
        let csrf = hex::encode(&rules::random_bytes::<16>()?);
        let now = now_ms() / 1000;
        let until = now + i64::try_from(session_ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let (token_hash, session_hash) = (secret_hash(token), secret_hash(&secret));
        let session =
            on_engine!(self, e => e.redeem_web_link(token_hash, session_hash, csrf, now, until))?;
        Ok(session.map(|session| OpenedSession { secret, session }))
    }

    /// The session whose cookie secret is `secret`, if it is open.
    pub async fn web_session(&self, secret: &str) -> Result<Option<WebSession>, HubError> {
        let hash = secret_hash(secret);
        on_engine!(self, e => e.web_session(hash, now_ms() / 1000))
    }

    /// Ends a session (signing out).
    pub async fn end_web_session(&self, secret: &str) -> Result<(), HubError> {
        let hash = secret_hash(secret);
        on_engine!(self, e => e.end_web_session(hash))
    }

    /// Offers a stored pack to `group`; false when it was offered there already or the hub
    /// holds no such pack.
    pub async fn offer_stored(&self, hash: [u8; 32], group: &str) -> Result<bool, HubError> {
        let group = self.one_group_name(group).await?;
        on_engine!(self, e => e.offer_stored(hash, group))
    }

    /// Every stored pack with the groups it is offered to.
    pub async fn stored_packs(&self) -> Result<Vec<PackRow>, HubError> {
        on_engine!(self, e => e.stored_packs())
    }

    /// Every module's title by its id (of the newest pack that holds it), for exports.
    pub async fn module_titles(&self) -> Result<Titles, HubError> {
        on_engine!(self, e => e.module_titles())
    }
}

/// A publisher key as stored (32 bytes); a damaged one is an error, never a panic.
fn stored_publisher(bytes: &[u8]) -> Result<PublicKey, HubError> {
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| HubError::Damaged("a stored publisher key".into()))?;
    PublicKey::from_bytes(&bytes)
        .map_err(|e| HubError::Damaged(format!("a stored publisher key: {e}")))
}

/// SHA-256 of a web secret: what is stored in its place.
fn secret_hash(secret: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes()).into()
}
