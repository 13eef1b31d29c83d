//! `skillpack credential`: issue a credential offline (a practical task seen in person, or
//! prior learning recognised), verify one from its file or from a QR code image, and draw one
//! as a QR code. Verification is the core's, offline, with the reason when it fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use qrcode::{EcLevel, QrCode};
use serde::Deserialize;

use skillpack_core::authoring::{compile_for_pack, read_module_folder};
use skillpack_core::credential::{
    self, qr, AssessmentType, Award, Contexts, ControllerDocument, CredentialError, Issuer, Trust,
    MAX_CONTROLLER_DOCUMENT_BYTES,
};
use skillpack_core::keys::file::{read_public, read_secret};
use skillpack_core::sync::{check_credential_with, CheckedCredential, RevocationStatus};

use super::{print_json, CommandResult};

/// What `skillpack credential` does.
#[derive(Subcommand)]
pub enum CredentialCommand {
    /// Issue a credential for a module, signed with the issuer's key: for a practical task
    /// seen in person or prior learning recognised (results taken in the app are issued by
    /// the hub).
    Issue(IssueArgs),
    /// Issue work records for a platform's workers (one per worker, one more per client
    /// review), signed with the platform's key, from the platform's CSV or JSON export.
    IssueWorkRecord(super::work_records::IssueWorkRecordArgs),
    /// Issue a pathway's milestone offline, from the learner's credentials for its parts.
    IssueMilestone(super::milestones::IssueMilestoneArgs),
    /// Verify a credential, from its JSON file, a baked badge (PNG) or a QR code image, and (unless --offline)
    /// whether its issuer revoked it. Exit codes: 0 valid and not revoked, 1 not valid,
    /// 3 revoked, 4 valid but revocation not checked, 5 valid but not from an issuer --trust
    /// names.
    Verify {
        /// The credential's JSON file, or a PNG it is baked into.
        file: Option<PathBuf>,
        /// A PNG image of its QR code instead.
        #[arg(long, conflicts_with = "file")]
        qr: Option<PathBuf>,
        /// Issuers this verifier trusts: a key file (NAME.pub) or a did:key (as `skillpack
        /// hub issuer` prints it); others are reported as unknown.
        #[arg(long)]
        trust: Vec<String>,
        /// Do not read the issuer's revocation list (revocation is then not checked).
        #[arg(long)]
        offline: bool,
        /// The controller document (JSON) of an issuer that is not a did:key (a did:web or
        /// an https address), listing the keys it signs credentials with (repeat for several).
        #[arg(long = "controller")]
        controllers: Vec<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Bake a credential into a PNG image, as Open Badges 3.0 says (an `iTXt` chunk named
    /// `openbadgecredential`), for badge platforms and wallets that import baked badges; the
    /// picture is the credential's own QR code unless --image gives another.
    Bake {
        /// The credential's JSON file.
        file: PathBuf,
        /// The picture to bake it into (a PNG); by default its QR code.
        #[arg(long)]
        image: Option<PathBuf>,
        /// Where to write the baked image (`.png`).
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Draw a credential as a QR code: PNG or SVG, by the output's extension.
    Qr {
        /// The credential's JSON file.
        file: PathBuf,
        /// Where to write the image (`.png` or `.svg`).
        #[arg(short, long)]
        out: PathBuf,
    },
}

/// `skillpack credential issue`.
#[derive(Args)]
pub struct IssueArgs {
    /// The issuer's secret key (NAME.key).
    #[arg(long)]
    key: PathBuf,
    /// The issuer's description (TOML: name, url, country_code, country, region).
    #[arg(long)]
    issuer: PathBuf,
    /// The module's folder.
    #[arg(long)]
    module: PathBuf,
    /// The learner's did:key.
    #[arg(long)]
    learner: String,
    /// The name the learner chose to show, if any.
    #[arg(long)]
    name: Option<String>,
    /// The score, in percent.
    #[arg(long, default_value_t = 100)]
    score: u32,
    /// How it was assessed: practical-observed or recognition-of-prior-learning.
    #[arg(long, default_value = "practical-observed")]
    assessment: String,
    /// Days the credential stays valid (no end when left out).
    #[arg(long)]
    valid_days: Option<u32>,
    /// Where to write the credential's JSON.
    #[arg(short, long)]
    out: PathBuf,
    /// Also draw it as a QR code here (`.png` or `.svg`).
    #[arg(long)]
    qr: Option<PathBuf>,
}

/// The issuer's description file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuerFile {
    name: String,
    url: Option<String>,
    country_code: String,
    country: String,
    region: Option<String>,
}

/// Reads an issuer's description file (issuer.toml) and checks its country code.
pub(crate) fn read_issuer_file(path: &Path) -> anyhow::Result<Issuer> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: IssuerFile =
        toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    if file.country_code.len() != 2 || !file.country_code.chars().all(|c| c.is_ascii_uppercase()) {
        bail!("country_code must be two capital letters (ISO 3166-1), such as KE");
    }
    Ok(Issuer {
        name: file.name,
        url: file.url,
        country_code: file.country_code,
        country: file.country,
        region: file.region,
    })
}

/// Runs a `skillpack credential` command.
pub fn run(command: CredentialCommand) -> CommandResult {
    match command {
        CredentialCommand::Issue(args) => issue(args),
        CredentialCommand::IssueWorkRecord(args) => super::work_records::run(args),
        CredentialCommand::IssueMilestone(args) => super::milestones::run(args),
        CredentialCommand::Verify {
            file,
            qr,
            trust,
            offline,
            json,
            controllers,
        } => verify(
            file.as_deref(),
            qr.as_deref(),
            &trust,
            &controllers,
            offline,
            json,
        ),
        CredentialCommand::Bake { file, image, out } => {
            let credential = read_credential(&file)?;
            let picture = match &image {
                Some(path) => read_png(path)?,
                None => qr_png(&credential)?.0,
            };
            let baked = credential::baked::bake(&picture, &credential)?;
            std::fs::write(&out, &baked).with_context(|| format!("writing {}", out.display()))?;
            outln!(
                "wrote {} ({} bytes): the credential baked into {}",
                out.display(),
                baked.len(),
                match &image {
                    Some(path) => path.display().to_string(),
                    None => "its QR code".into(),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        CredentialCommand::Qr { file, out } => {
            let credential = read_credential(&file)?;
            let (version, level) = draw(&credential, &out)?;
            outln!(
                "wrote {} (QR version {version}, error correction {level})",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn issue(args: IssueArgs) -> CommandResult {
    let key = read_secret(&args.key).with_context(|| format!("reading {}", args.key.display()))?;
    let issuer = read_issuer_file(&args.issuer)?;
    // In the app, the hub issues for quizzes; a trainer issues for what they saw themselves.
    let assessment = match AssessmentType::from_name(&args.assessment) {
        Some(kind) if kind != AssessmentType::AutomatedQuiz => kind,
        _ => bail!(
            "assessment \"{}\" is not practical-observed or recognition-of-prior-learning",
            args.assessment
        ),
    };
    let learner = skillpack_core::keys::PublicKey::parse(&args.learner)
        .map_err(|_| anyhow::anyhow!("the learner must be a did:key (did:key:z6Mk…)"))?
        .to_did_key();
    if args.score > 100 {
        bail!("the score is a percentage from 0 to 100");
    }
    let files = read_module_folder(&args.module)?;
    let compiled = compile_for_pack(&files);
    let Some(compiled) = compiled.module else {
        bail!(
            "{} does not compile:\n{}",
            args.module.display(),
            compiled.diagnostics
        );
    };
    let module = compiled.module;
    if args.score < module.assessment.pass_mark {
        bail!(
            "a score of {}% is below the module's pass mark ({}%): no credential",
            args.score,
            module.assessment.pass_mark
        );
    }
    let now = chrono::Utc::now();
    let valid_until = match args.valid_days {
        Some(days) => Some(
            now.checked_add_signed(chrono::Duration::days(i64::from(days)))
                .context("--valid-days reaches past the calendar")?,
        ),
        None => None,
    };
    let award = Award {
        id: format!("urn:uuid:{}", random_uuid()?),
        module: &module,
        learner: learner.clone(),
        learner_name: args.name.clone(),
        score_percent: args.score,
        record: None,
        awarded: now,
        first_awarded: None,
        valid_until,
        status: None,
        assessment: vec![assessment],
    };
    let signed = credential::issue(&issuer, &key, &award, None, Contexts::bundled())?;
    std::fs::write(&args.out, serde_json::to_vec_pretty(&signed)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    outln!(
        "issued {} to {}: {}",
        module.title,
        learner,
        args.out.display()
    );
    if let Some(image) = &args.qr {
        let (version, level) = draw(&signed, image)?;
        outln!(
            "wrote {} (QR version {version}, error correction {level})",
            image.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(
    file: Option<&Path>,
    image: Option<&Path>,
    trust: &[String],
    controllers: &[PathBuf],
    offline: bool,
    json: bool,
) -> CommandResult {
    let credential = match (file, image) {
        (Some(file), None) => read_credential(file)?,
        (None, Some(image)) => qr::from_payload(&read_qr(image)?)?,
        _ => bail!("give the credential's file, or --qr and its image"),
    };
    let trusted = read_trusted(trust)?;
    let documents = controllers
        .iter()
        .map(|path| {
            let bytes = read_bounded(path, MAX_CONTROLLER_DOCUMENT_BYTES)
                .with_context(|| format!("reading {}", path.display()))?;
            ControllerDocument::parse(&bytes).with_context(|| format!("reading {}", path.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Online, a credential that verified is checked against its issuer's revocation list.
    let now = chrono::Utc::now();
    let outcome = match check_credential_with(&credential, &trusted, now, !offline, &documents) {
        Ok(checked) => Verdict::of(checked, !trusted.is_empty()),
        Err(CredentialError::Revoked) => Verdict::Revoked,
        Err(e) => Verdict::Invalid(e),
    };
    outcome.print(json)?;
    Ok(ExitCode::from(outcome.code()))
}

/// What `skillpack credential verify` concluded, each with an exit code of its own so that no
/// script (or reader) takes one for another: 0 valid and checked against the issuer's
/// revocation list, 1 not valid, 3 revoked, 4 valid but revocation not checked (offline, the
/// list unreachable, or none named), 5 valid but from an issuer none of `--trust` names.
enum Verdict {
    /// Every check passed, revocation included.
    Valid(CheckedCredential),
    /// Valid, but whether the issuer revoked it is not known.
    NotChecked(CheckedCredential, String),
    /// Valid, from an issuer the verifier was not told to trust.
    Untrusted(CheckedCredential),
    /// The issuer revoked it.
    Revoked,
    /// A check failed.
    Invalid(CredentialError),
}

impl Verdict {
    /// The verdict on a credential that verified; `trust_given` when the verifier named the
    /// issuers it trusts.
    fn of(checked: CheckedCredential, trust_given: bool) -> Self {
        if trust_given && !checked.verified.trusted_issuer {
            return Self::Untrusted(checked);
        }
        match &checked.revocation {
            RevocationStatus::NotRevoked => Self::Valid(checked),
            RevocationStatus::NotChecked { why } => {
                let why = why.clone();
                Self::NotChecked(checked, why)
            }
        }
    }

    /// The exit code (see the type's doc).
    fn code(&self) -> u8 {
        match self {
            Self::Valid(_) => 0,
            Self::Invalid(_) => 1,
            Self::Revoked => 3,
            Self::NotChecked(..) => 4,
            Self::Untrusted(_) => 5,
        }
    }

    /// The verdict's name in JSON.
    fn status(&self) -> &'static str {
        match self {
            Self::Valid(_) => "valid",
            Self::Invalid(_) => "invalid",
            Self::Revoked => "revoked",
            Self::NotChecked(..) => "valid_revocation_not_checked",
            Self::Untrusted(_) => "valid_issuer_not_trusted",
        }
    }

    /// Prints the verdict, its first words saying which it is.
    fn print(&self, json: bool) -> anyhow::Result<()> {
        let checked = match self {
            Self::Valid(c) | Self::NotChecked(c, _) | Self::Untrusted(c) => c,
            Self::Revoked | Self::Invalid(_) => {
                let reason = match self {
                    Self::Invalid(e) => e.to_string(),
                    _ => CredentialError::Revoked.to_string(),
                };
                if json {
                    print_json(&serde_json::json!({
                        "valid": false, "status": self.status(), "reason": reason,
                    }))?;
                } else if let Self::Revoked = self {
                    outln!("REVOKED: {reason}");
                } else {
                    outln!("not valid: {reason}");
                }
                return Ok(());
            }
        };
        let (v, revocation) = (&checked.verified, &checked.revocation);
        if json {
            return print_json(&serde_json::json!({
                "valid": true,
                "status": self.status(),
                "achievement": v.achievement,
                "learner": v.subject,
                "issuer": v.issuer,
                "issuer_name": v.issuer_name,
                "trusted_issuer": v.trusted_issuer,
                "trust": trust_json(v),
                "endorsements": v.endorsements.iter().map(|e| serde_json::json!({
                    "publisher": e.publisher.to_did_key(),
                    "fingerprint": e.publisher.fingerprint().to_string(),
                    "name": e.provider,
                    "valid_from": e.valid_from.to_rfc3339(),
                })).collect::<Vec<_>>(),
                "valid_from": v.valid_from.to_rfc3339(),
                "valid_until": v.valid_until.map(|d| d.to_rfc3339()),
                "revocation": revocation.to_string(),
                "old_form": v.old_form,
            }));
        }
        match self {
            Self::NotChecked(_, why) => outln!(
                "valid, but NOT checked for revocation ({why}): {} for {}",
                v.achievement,
                v.subject
            ),
            Self::Untrusted(_) => outln!(
                "valid, but NOT from an issuer you trust: {} for {}",
                v.achievement,
                v.subject
            ),
            _ => outln!("valid: {} for {}", v.achievement, v.subject),
        }
        outln!("issued by {} ({})", v.issuer_name, v.issuer);
        outln!("{}", trust_line(v, matches!(self, Self::Untrusted(_))));
        match v.valid_until {
            Some(until) => outln!("valid from {} until {}", v.valid_from, until),
            None => outln!("valid from {}", v.valid_from),
        }
        outln!("revocation {revocation}");
        if v.old_form {
            outln!(
                "old form: issued by an early Skillpack, in terms only Skillpack reads; other \
                 verifiers refuse it, so ask the issuer for a new one"
            );
        }
        Ok(())
    }
}

/// The line saying why the issuer is trusted, or that it is not; `untrusted` when
/// `--trust` was given and names neither the issuer nor a key that endorsed it.
fn trust_line(v: &credential::Verified, untrusted: bool) -> String {
    let provider = |named: &Option<String>| named.clone().unwrap_or_else(|| v.issuer_name.clone());
    match &v.trust {
        Trust::Signed { key } => format!(
            "trusted: {}, signed by {}",
            v.issuer_name,
            key.fingerprint()
        ),
        Trust::Endorsed {
            publisher,
            provider: named,
        } => format!(
            "trusted: {}, endorsed by {}",
            provider(named),
            publisher.fingerprint()
        ),
        Trust::Unknown {
            endorsed_by: Some(by),
        } if untrusted => format!(
            "not trusted: endorsed by {} ({}), a key --trust does not name",
            by.publisher.fingerprint(),
            provider(&by.provider)
        ),
        Trust::Unknown { endorsed_by: None } if untrusted => {
            "not trusted: no endorsement, and --trust does not name the issuer".to_owned()
        }
        Trust::Unknown {
            endorsed_by: Some(by),
        } => format!(
            "endorsed by {} ({}): give --trust with that publisher's key to trust it",
            by.publisher.fingerprint(),
            provider(&by.provider)
        ),
        Trust::Unknown { endorsed_by: None } => {
            "not endorsed: give --trust with the issuer's key to trust it".to_owned()
        }
    }
}

/// The `trust` object of `--json`: by what the issuer is trusted (`signed`, `endorsed` or
/// null), and the key that decided it.
fn trust_json(v: &credential::Verified) -> serde_json::Value {
    let (by, key, provider) = match &v.trust {
        Trust::Signed { key } => (Some("signed"), Some(*key), Some(v.issuer_name.clone())),
        Trust::Endorsed {
            publisher,
            provider,
        } => (Some("endorsed"), Some(*publisher), provider.clone()),
        Trust::Unknown { .. } => (None, None, None),
    };
    serde_json::json!({
        "by": by,
        "key": key.map(|k| k.to_did_key()),
        "fingerprint": key.map(|k| k.fingerprint().to_string()),
        "provider": provider,
    })
}

/// A credential from a file: its JSON, or a PNG it is baked into (by the PNG signature).
pub(crate) fn read_credential(path: &Path) -> anyhow::Result<serde_json::Value> {
    let bytes = read_bounded(path, credential::baked::MAX_PNG_LEN)?;
    if bytes.starts_with(b"\x89PNG") {
        return credential::baked::unbake(&bytes)
            .with_context(|| format!("reading {}", path.display()));
    }
    credential::json::parse(&bytes).with_context(|| format!("reading {}", path.display()))
}

/// A PNG picture to bake a credential into, bounded.
fn read_png(path: &Path) -> anyhow::Result<Vec<u8>> {
    read_bounded(path, credential::baked::MAX_PNG_LEN)
}

/// The keys `--trust` names: key files (NAME.pub) or did:keys.
pub(crate) fn read_trusted(
    trust: &[String],
) -> anyhow::Result<Vec<skillpack_core::keys::PublicKey>> {
    trust
        .iter()
        .map(|t| {
            if t.starts_with("did:key:") {
                skillpack_core::keys::PublicKey::parse(t)
                    .with_context(|| format!("{t} is not an Ed25519 did:key"))
            } else {
                read_public(Path::new(t)).with_context(|| format!("reading {t}"))
            }
        })
        .collect()
}

/// A file's bytes, at most `limit` of them: one byte past the limit is read, so a file too
/// large is told apart (and refused by the reader's own bound) without reading it all.
pub(crate) fn read_bounded(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(bytes)
}

/// Draws `credential` as a QR code at `out` (PNG or SVG); returns the QR version and the
/// error correction level used: the highest level that still fits.
pub(crate) fn draw(
    credential: &serde_json::Value,
    out: &Path,
) -> anyhow::Result<(i16, &'static str)> {
    draw_text(&qr::to_payload(credential)?, out)
}

/// Draws `text` as a QR code to `out` (`.png` or `.svg`), as [`draw`] does a credential's;
/// gives its version and error correction level.
pub(crate) fn draw_text(text: &str, out: &Path) -> anyhow::Result<(i16, &'static str)> {
    match out.extension().and_then(|e| e.to_str()) {
        Some("svg") => {
            let (code, version, level) = qr_code_of(text)?;
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(600, 600)
                .build();
            std::fs::write(out, svg).with_context(|| format!("writing {}", out.display()))?;
            Ok((version, level))
        }
        Some("png") => {
            let (png, version, level) = png_of(text)?;
            std::fs::write(out, png).with_context(|| format!("writing {}", out.display()))?;
            Ok((version, level))
        }
        _ => bail!(
            "{}: write the QR code to a .png or .svg file",
            out.display()
        ),
    }
}

/// `credential`'s QR code as a PNG, with its version and error correction level.
pub(crate) fn qr_png(
    credential: &serde_json::Value,
) -> anyhow::Result<(Vec<u8>, i16, &'static str)> {
    png_of(&qr::to_payload(credential)?)
}

/// `text`'s QR code as a PNG, with its version and error correction level.
fn png_of(text: &str) -> anyhow::Result<(Vec<u8>, i16, &'static str)> {
    let (code, version, level) = qr_code_of(text)?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(600, 600)
        .build();
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .context("drawing the QR code")?;
    Ok((png, version, level))
}

/// `payload`'s QR code, with its version and error correction level's name: the smallest
/// version at level M (what a cheap phone's camera reads at arm's length depends on the
/// modules' size, so the version counts most), at Q instead when Q fits the same version,
/// and at L only when M does not fit at all.
fn qr_code_of(payload: &str) -> anyhow::Result<(QrCode, i16, &'static str)> {
    let number = |code: &QrCode| match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    let Ok(at_m) = QrCode::with_error_correction_level(payload, EcLevel::M) else {
        let at_l = QrCode::with_error_correction_level(payload, EcLevel::L)
            .context("the credential does not fit one QR code")?;
        let version = number(&at_l);
        return Ok((at_l, version, "L"));
    };
    let version = number(&at_m);
    match QrCode::with_version(payload, at_m.version(), EcLevel::Q) {
        Ok(at_q) => Ok((at_q, version, "Q")),
        Err(_) => Ok((at_m, version, "M")),
    }
}

pub(crate) use super::qr_image::read_qr;

pub(crate) fn random_uuid() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string())
}
