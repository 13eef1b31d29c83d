//! The demo's hub: the real `skillpack-hub` server on its SQLite database, listening on
//! loopback, on a tokio runtime of its own in a thread of its own. Stopping it lets requests
//! in flight finish and joins the thread; dropping it does the same, so an error half way
//! through the demo leaves nothing running.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{bail, Context};
use skillpack_hub::state::HubConfig;
use skillpack_hub::HubDb;
use tokio::sync::oneshot;

/// Loopback with port 0: the system picks a free port.
pub const ANY_LOOPBACK_PORT: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// A hub serving in a thread of this process until stopped or dropped.
pub struct LocalHub {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

impl LocalHub {
    /// Starts the hub on the database `db` (`sqlite://PATH`), listening on `address`, with
    /// uploads waiting in `work`; returns once it listens, or with why it could not.
    pub fn start(db: &str, address: SocketAddr, work: &Path) -> anyhow::Result<Self> {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel();
        let config = HubConfig {
            upload_dir: work.to_owned(),
            ..HubConfig::default()
        };
        let db = db.to_owned();
        let thread = std::thread::Builder::new()
            .name("demo-hub".into())
            .spawn(move || serve(&db, address, config, ready_tx, stop_rx))
            .context("starting the hub's thread")?;
        let mut hub = Self {
            address,
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        match ready_rx.recv() {
            Ok(Ok(bound)) => {
                hub.address = bound;
                Ok(hub)
            }
            Ok(Err(e)) => {
                hub.shut_down()?;
                Err(e)
            }
            // The thread ended before it said: its own result says why.
            Err(_) => {
                hub.shut_down()?;
                bail!("the hub stopped before it listened")
            }
        }
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Its base URL, as devices and trainers' tools name it.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting, lets requests in flight finish, and joins the thread.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            // Err: the server has ended already; the join below says how.
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e.context("the hub failed")),
            Some(Err(_)) => bail!("the hub's thread panicked"),
        }
    }
}

impl Drop for LocalHub {
    fn drop(&mut self) {
        if let Err(e) = self.shut_down() {
            eprintln!("error: stopping the demo's hub: {e:#}");
        }
    }
}

/// The hub's thread: opens the database and the listener, says so (or why not) on `ready`,
/// and serves until `stop`.
fn serve(
    db: &str,
    address: SocketAddr,
    config: HubConfig,
    ready: mpsc::Sender<anyhow::Result<SocketAddr>>,
    stop: oneshot::Receiver<()>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the hub's runtime")?;
    runtime.block_on(async move {
        let (db, listener) = match open(db, address).await {
            Ok(opened) => opened,
            Err(e) => {
                let _ = ready.send(Err(e));
                return Ok(());
            }
        };
        let _ = ready.send(listener.local_addr().context("the hub's address"));
        skillpack_hub::serve_with(listener, db, config, async {
            // Err: the demo dropped its end, which asks for a stop too.
            let _ = stop.await;
        })
        .await?;
        Ok(())
    })
}

async fn open(db: &str, address: SocketAddr) -> anyhow::Result<(HubDb, tokio::net::TcpListener)> {
    let hub = HubDb::open(db)
        .await
        .with_context(|| format!("opening the hub's database {db}"))?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    Ok((hub, listener))
}

/// Why a connection to `address` fails, as proof nothing listens there any more; an error
/// when something answers.
pub fn refused(address: SocketAddr) -> anyhow::Result<String> {
    match TcpStream::connect_timeout(&address, Duration::from_secs(2)) {
        Ok(_) => bail!("something still answers on {address} after the hub stopped"),
        Err(e) => Ok(e.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn db(dir: &Path) -> String {
        format!("sqlite://{}", dir.join("hub.db").display())
    }

    #[test]
    fn a_dropped_hub_stops_and_frees_its_port() {
        let dir = tempfile::tempdir().unwrap();
        let hub = LocalHub::start(&db(dir.path()), ANY_LOOPBACK_PORT, dir.path()).unwrap();
        let address = hub.address();
        assert_ne!(address.port(), 0);
        assert!(TcpStream::connect(address).is_ok(), "it listens");
        drop(hub);
        assert!(refused(address).is_ok(), "nothing listens once dropped");
    }

    #[test]
    fn a_stopped_hub_starts_again_on_the_same_address() {
        let dir = tempfile::tempdir().unwrap();
        let hub = LocalHub::start(&db(dir.path()), ANY_LOOPBACK_PORT, dir.path()).unwrap();
        let address = hub.address();
        hub.stop().unwrap();
        let again = LocalHub::start(&db(dir.path()), address, dir.path()).unwrap();
        assert_eq!(again.address(), address);
        again.stop().unwrap();
        assert!(refused(address).is_ok());
    }

    #[test]
    fn a_hub_that_cannot_listen_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let taken = std::net::TcpListener::bind(ANY_LOOPBACK_PORT).unwrap();
        let address = taken.local_addr().unwrap();
        let err = LocalHub::start(&db(dir.path()), address, dir.path())
            .err()
            .unwrap();
        assert!(format!("{err:#}").contains("listening on"), "{err:#}");
        assert!(refused(address).is_err(), "the other listener is untouched");
    }
}
