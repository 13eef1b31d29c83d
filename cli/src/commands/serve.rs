//! `skillpack serve`: runs the hub (its API and the trainers' web pages) until Ctrl-C or
//! SIGTERM, with the limits and keys the operator gives.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use skillpack_core::keys::file::read_public;
use skillpack_hub::pack_store::PacksAt;
use skillpack_hub::HubDb;

use super::CommandResult;

/// The arguments of `skillpack serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "SKILLPACK_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Database: sqlite://PATH or postgres://….
    #[arg(
        long,
        env = "SKILLPACK_DB",
        default_value = "sqlite://skillpack-hub.db"
    )]
    db: String,
    /// Where packs' bytes are kept: a folder, or s3://BUCKET[/PREFIX] on any S3-compatible
    /// store (endpoint and credentials from AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for a store without TLS). Default: beside
    /// an SQLite database (hub.db keeps them in hub-packs/), skillpack-hub-packs/ here for
    /// PostgreSQL. Several instances need a bucket.
    #[arg(long, env = "SKILLPACK_PACKS")]
    packs: Option<String>,
    /// Public keys (NAME.pub) allowed to read the operator's view over HTTP (/v1/admin/…).
    #[arg(long = "operator", env = "SKILLPACK_OPERATORS", value_delimiter = ',')]
    operators: Vec<PathBuf>,
    /// Seconds a client has to send a whole request head.
    #[arg(long, env = "SKILLPACK_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds without a byte moving after which a connection is closed.
    #[arg(long, env = "SKILLPACK_IDLE_TIMEOUT", default_value_t = 60)]
    idle_timeout: u64,
    /// Most connections open at once (keep under the process's file limit, `ulimit -n`).
    #[arg(long, env = "SKILLPACK_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Most connections open at once from one client address (IPv4, or IPv6 /64); the
    /// trusted proxies are not capped.
    #[arg(long, env = "SKILLPACK_MAX_PER_ADDRESS", default_value_t = 256)]
    max_per_address: usize,
    /// Bytes a second a request body must average once the grace has passed.
    #[arg(long, env = "SKILLPACK_MIN_BODY_RATE", default_value_t = 256)]
    min_body_rate: u32,
    /// Seconds a request body may take before its rate counts.
    #[arg(long, env = "SKILLPACK_BODY_GRACE", default_value_t = 10)]
    body_grace: u64,
    /// Seconds from a request's head to its answer, at most (its body included).
    #[arg(long, env = "SKILLPACK_REQUEST_DEADLINE", default_value_t = 600)]
    request_deadline: u64,
    /// Seconds the requests in flight have to finish once the hub is asked to stop (SIGTERM,
    /// Ctrl-C); past it they are cut. New connections are refused at once.
    #[arg(long, env = "SKILLPACK_SHUTDOWN_TIMEOUT", default_value_t = 25)]
    shutdown_timeout: u64,
    /// Folder where uploads wait while they are checked (default: the system's temporary
    /// folder; name one on disk where that folder is held in memory).
    #[arg(long, env = "SKILLPACK_UPLOAD_DIR")]
    upload_dir: Option<PathBuf>,
    /// Address of a load balancer or proxy in front of the hub, whose X-Forwarded-For names
    /// the client that rate limits per address count (repeat for several).
    #[arg(
        long = "trusted-proxy",
        env = "SKILLPACK_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// The hub's public URL. When it is https (TLS ends at a proxy in front of the hub),
    /// the web pages' session cookie is marked Secure, so a browser never sends it in clear;
    /// code sheets carry the enrolment link with it, which a phone joins with in one scan.
    #[arg(long, env = "SKILLPACK_PUBLIC_URL")]
    public_url: Option<String>,
    /// How log lines are written: text, or json (one object a line, for a log collector).
    /// Colour only when standard error is a terminal.
    #[arg(long, env = "SKILLPACK_LOG_FORMAT", default_value = "text")]
    log_format: LogFormat,
}

/// How `serve` writes its log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

/// Runs the hub until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub fn serve(args: ServeArgs) -> CommandResult {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Escapes for colour only where a person reads them: not in a file or a journal.
        .with_ansi(std::io::stderr().is_terminal());
    match args.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let operators = args
        .operators
        .iter()
        .map(|p| read_public(p).with_context(|| format!("reading operator key {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let defaults = skillpack_hub::state::HubConfig::default();
    let config = skillpack_hub::state::HubConfig {
        operators,
        connections: skillpack_hub::server::ConnectionLimits {
            header_read_timeout: std::time::Duration::from_secs(args.header_timeout),
            idle_timeout: std::time::Duration::from_secs(args.idle_timeout),
            max_connections: args.max_connections,
            max_per_address: args.max_per_address,
            min_body_rate: args.min_body_rate,
            body_grace: std::time::Duration::from_secs(args.body_grace),
            request_deadline: std::time::Duration::from_secs(args.request_deadline),
            shutdown_timeout: std::time::Duration::from_secs(args.shutdown_timeout),
        },
        upload_dir: args
            .upload_dir
            .clone()
            .unwrap_or(defaults.upload_dir.clone()),
        trusted_proxies: args.trusted_proxies.clone(),
        secure_cookies: args
            .public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://")),
        public_url: args.public_url.clone(),
        ..defaults
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let packs = args.packs.as_deref().map(PacksAt::parse).transpose()?;
        let db = HubDb::open_at(&args.db, packs.as_ref()).await?;
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        // Scripts and tests read the real address from this first line.
        outln!("listening on http://{}", listener.local_addr()?);
        skillpack_hub::serve_with(listener, db, config, shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
