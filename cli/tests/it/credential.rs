//! `skillpack credential`: a trainer issues a credential offline for a practical task, and a
//! verifier checks it from its file and from its QR code, offline, with the reason when a
//! changed or foreign credential fails.

use std::path::Path;

use crate::{ok, skillpack, text};

fn did_of(dir: &Path, public: &str) -> String {
    let text = std::fs::read_to_string(dir.join(public)).unwrap();
    text.split_whitespace()
        .find_map(|w| {
            w.trim_end_matches(['.', ',', ')'])
                .strip_prefix("did:key:")
                .map(|k| format!("did:key:{k}"))
        })
        .unwrap()
}

/// A trainer's key pair and issuer description in `d`.
fn trainer(d: &Path) {
    ok(d, &["keys", "new", "--out", "trainer"]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
}

/// `skillpack credential issue` for the sample module safe-riding to `learner`, with the
/// trainer's key and `more` arguments.
fn issue(d: &Path, learner: &str, more: &[&str]) -> std::process::Output {
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/modules/safe-riding");
    let mut args = vec![
        "credential",
        "issue",
        "--key",
        "trainer.key",
        "--issuer",
        "issuer.toml",
        "--module",
        module.to_str().unwrap(),
        "--learner",
        learner,
    ];
    args.extend_from_slice(more);
    skillpack(d, &args)
}

#[test]
fn a_credential_issued_offline_verifies_from_its_file_and_its_qr_code_and_a_changed_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trainer(d);
    ok(d, &["keys", "new", "--out", "learner"]);
    let learner = did_of(d, "learner.pub");
    let issued = issue(
        d,
        &learner,
        &["--score", "90", "-o", "cred.json", "--qr", "cred.png"],
    );
    assert!(issued.status.success(), "{}", text(&issued));
    assert!(
        text(&issued).contains("error correction"),
        "{}",
        text(&issued)
    );
    ok(d, &["credential", "qr", "cred.json", "-o", "cred.svg"]);
    assert!(std::fs::read_to_string(d.join("cred.svg"))
        .unwrap()
        .starts_with("<?xml"));

    // Issued offline, it names no revocation list: valid, and said to be unchecked (exit 4).
    let out = skillpack(
        d,
        &[
            "credential",
            "verify",
            "cred.json",
            "--trust",
            "trainer.pub",
        ],
    );
    let verified = text(&out);
    assert_eq!(out.status.code(), Some(4), "{verified}");
    assert!(
        verified.starts_with("valid, but NOT checked for revocation")
            && verified.contains("Safe riding")
            && verified.contains("trusted: Salama Riders Trust, signed by"),
        "{verified}"
    );
    // Trusting only another key: valid, but not from an issuer the verifier trusts (exit 5).
    let stranger = super::assets().join("keys/demo-assessor.pub");
    let out = skillpack(
        d,
        &[
            "credential",
            "verify",
            "cred.json",
            "--trust",
            stranger.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(
        text(&out).starts_with("valid, but NOT from an issuer you trust"),
        "{}",
        text(&out)
    );
    let out = skillpack(d, &["credential", "verify", "--qr", "cred.png", "--json"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let from_qr: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_qr["valid"], true, "{from_qr}");
    assert_eq!(from_qr["status"], "valid_revocation_not_checked");
    assert_eq!(from_qr["trusted_issuer"], false);
    assert_eq!(
        from_qr["revocation"],
        "not checked (the credential names no revocation list)"
    );

    let mut changed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("cred.json")).unwrap()).unwrap();
    changed["credentialSubject"]["result"][0]["value"] = "100".into();
    std::fs::write(
        d.join("changed.json"),
        serde_json::to_vec(&changed).unwrap(),
    )
    .unwrap();
    let out = skillpack(d, &["credential", "verify", "changed.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("not valid: the signature does not match"),
        "{}",
        text(&out)
    );

    let below = issue(d, &learner, &["--score", "40", "-o", "no.json"]);
    assert!(!below.status.success() && text(&below).contains("below the module's pass mark"));
    assert!(!d.join("no.json").exists());
}

#[test]
fn a_learner_keeps_a_credential_given_as_a_file_lists_it_and_hands_it_out_as_a_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trainer(d);
    let init = ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--trust",
            "trainer.pub",
        ],
    );
    let learner = init
        .split_whitespace()
        .find(|w| w.starts_with("did:key:"))
        .unwrap()
        .to_owned();
    let issued = issue(d, &learner, &["-o", "cred.json"]);
    assert!(issued.status.success(), "{}", text(&issued));
    assert!(ok(d, &["device", "credentials", "--store", "phone"]).contains("no credentials yet"));
    let kept = ok(
        d,
        &[
            "device",
            "credential",
            "add",
            "--store",
            "phone",
            "cred.json",
        ],
    );
    assert!(kept.contains("kept Safe riding"), "{kept}");
    let listed: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["device", "credentials", "--store", "phone", "--json"],
    ))
    .unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed[0]["module"], "safe-riding");
    ok(
        d,
        &[
            "device",
            "credential",
            "export",
            "--store",
            "phone",
            &id,
            "-o",
            "out.json",
            "--qr",
            "out.png",
        ],
    );
    let out = skillpack(
        d,
        &[
            "credential",
            "verify",
            "--qr",
            "out.png",
            "--trust",
            "trainer.pub",
        ],
    );
    let verified = text(&out);
    assert_eq!(out.status.code(), Some(4), "no revocation list: {verified}");
    assert!(
        verified.contains("trusted: Salama Riders Trust, signed by"),
        "{verified}"
    );
    // Someone else's credential is not kept.
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "other-phone",
            "--trust",
            "trainer.pub",
        ],
    );
    let refused = skillpack(
        d,
        &[
            "device",
            "credential",
            "add",
            "--store",
            "other-phone",
            "cred.json",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("another learner"),
        "{}",
        text(&refused)
    );
}

/// A PNG of `width` x `height` pixels by its header, with one tiny compressed row of data:
/// what a crafted image that claims a huge size looks like.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    png_with(
        width,
        height,
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    )
}

/// A whole white greyscale PNG of `side` x `side` pixels (zlib's stored blocks: no
/// compression needed to write one).
fn png_white(side: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for _ in 0..side {
        raw.push(0); // no filter
        raw.extend(std::iter::repeat_n(255u8, side as usize));
    }
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    zlib.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    zlib.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    png_with(side, side, &zlib)
}

/// A greyscale PNG of `width` x `height` pixels by its header, with `zlib` as its data.
fn png_with(width: u32, height: u32, zlib: &[u8]) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(&mut out, b"IHDR", &header);
    // A zlib stream of a few zero bytes: far less than the image claims.
    chunk(&mut out, b"IDAT", zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn a_qr_image_that_is_huge_broken_or_empty_is_refused_with_a_reason_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut noise = vec![0u8; 4096];
    for (i, b) in noise.iter_mut().enumerate() {
        *b = (i * 131 % 251) as u8;
    }
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("huge.png", png_claiming(60_000, 60_000), "reading"),
        ("short.png", png_claiming(300, 300), "reading"),
        ("noise.png", noise, "reading"),
        (
            "truncated.png",
            png_claiming(300, 300)[..20].to_vec(),
            "reading",
        ),
    ];
    for (name, bytes, said) in cases {
        std::fs::write(d.join(name), bytes).unwrap();
        let started = std::time::Instant::now();
        let out = skillpack(d, &["credential", "verify", "--qr", name]);
        assert!(!out.status.success(), "{name}");
        let shown = text(&out);
        assert!(
            shown.contains(said) && !shown.contains("panicked"),
            "{name}: {shown}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{name} took {:?}",
            started.elapsed()
        );
    }
    // A real image with no QR code in it says so.
    std::fs::write(d.join("blank.png"), png_white(64)).unwrap();
    let out = skillpack(d, &["credential", "verify", "--qr", "blank.png"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no QR code"), "{}", text(&out));
}

/// The Python interpreter whose Pillow (Debian's `python3-pil`, which .ci/run installs)
/// reads PNG text chunks: a reader of baked badges that is not ours.
fn python_with_pillow() -> &'static str {
    for python in ["/usr/bin/python3", "python3"] {
        let found = std::process::Command::new(python)
            .args(["-c", "import PIL"])
            .status()
            .is_ok_and(|s| s.success());
        if found {
            return python;
        }
    }
    panic!("no python3 with Pillow: install python3-pil (.ci/run does)");
}

#[test]
fn a_baked_badge_round_trips_verifies_and_pillow_reads_the_credential_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trainer(d);
    ok(d, &["keys", "new", "--out", "learner"]);
    let learner = did_of(d, "learner.pub");
    let issued = issue(d, &learner, &["--score", "90", "-o", "cred.json"]);
    assert!(issued.status.success(), "{}", text(&issued));

    // Baked into its own QR code by default: the picture still scans, and holds the credential.
    let baked = ok(d, &["credential", "bake", "cred.json", "-o", "badge.png"]);
    assert!(baked.contains("baked into its QR code"), "{baked}");
    let out = skillpack(d, &["credential", "verify", "badge.png", "--json"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let out = skillpack(d, &["credential", "verify", "--qr", "badge.png", "--json"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));

    // Into a trainer's own picture.
    let picture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/modules/safe-riding/images/pre-ride-check.low.png");
    ok(
        d,
        &[
            "credential",
            "bake",
            "cred.json",
            "--image",
            picture.to_str().unwrap(),
            "-o",
            "art.png",
        ],
    );
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("cred.json")).unwrap()).unwrap();

    // Pillow opens both as images and finds the credential under Open Badges' keyword.
    let script = "import json, sys\nfrom PIL import Image\nfor path in sys.argv[1:]:\n    \
                  image = Image.open(path)\n    image.load()\n    \
                  print(json.dumps(json.loads(image.text['openbadgecredential']), sort_keys=True))\n";
    let read = std::process::Command::new(python_with_pillow())
        .current_dir(d)
        .args(["-c", script, "badge.png", "art.png"])
        .output()
        .unwrap();
    assert!(read.status.success(), "{}", text(&read));
    let lines: Vec<serde_json::Value> = String::from_utf8(read.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, vec![original.clone(), original]);

    // A picture with one byte changed is refused by name, not read as something else.
    let mut broken = std::fs::read(d.join("art.png")).unwrap();
    let middle = broken.len() / 2;
    broken[middle] ^= 0x40;
    std::fs::write(d.join("broken.png"), broken).unwrap();
    let out = skillpack(d, &["credential", "verify", "broken.png"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not a PNG image"), "{}", text(&out));
}

/// A PNG of `side` x `side` pixels holding a grid of squares drawn like a QR code's finder
/// patterns (dark, light, dark core in 1:1:3:1:1), 3 pixels a module, 27 pixels apart: about
/// 3.4 KB of PNG that kept the QR search busy for minutes, trying every trio of squares.
fn finder_squares(side: u32) -> Vec<u8> {
    let unit = 3;
    let mut image = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for top in (0..side - 7 * unit).step_by((9 * unit) as usize) {
        for left in (0..side - 7 * unit).step_by((9 * unit) as usize) {
            for y in 0..7 * unit {
                for x in 0..7 * unit {
                    let ring = (x / unit).min(y / unit).min(6 - x / unit).min(6 - y / unit);
                    let dark = ring != 1;
                    image.put_pixel(left + x, top + y, image::Luma([if dark { 0 } else { 255 }]));
                }
            }
        }
    }
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[test]
fn a_picture_of_finder_like_squares_is_given_up_on_at_the_search_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("squares.png"), finder_squares(1000)).unwrap();
    let started = std::time::Instant::now();
    let out = skillpack(
        d,
        &["credential", "verify", "--qr", "squares.png", "--offline"],
    );
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("within 5 s"), "{}", text(&out));
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
}

/// The example credential poisoned (`testing::poisoned`) with `count` alike alignments under
/// two alike results, and a proof that is only its shape.
fn poison_credential(count: usize) -> serde_json::Value {
    let example: serde_json::Value = serde_json::from_str(include_str!(
        "../../../core/src/credential/examples/microcredential-named-ects.json"
    ))
    .unwrap();
    let mut credential = skillpack_core::testing::poisoned(&example, count);
    credential["proof"] = serde_json::json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-12-01T00:00:00Z",
        "verificationMethod": credential["issuer"]["id"].as_str().map(|did| {
            format!("{did}#{}", did.trim_start_matches("did:key:"))
        }),
        "proofPurpose": "assertionMethod",
        // 64 zero bytes in base58btc: a signature by its shape.
        "proofValue": format!("z{}", "1".repeat(64)),
    });
    credential
}

#[test]
fn the_poison_credential_is_refused_from_its_file_from_its_qr_code_and_by_a_phone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let poison = poison_credential(9);
    std::fs::write(d.join("poison.json"), serde_json::to_vec(&poison).unwrap()).unwrap();
    ok(d, &["credential", "qr", "poison.json", "-o", "poison.png"]);
    ok(d, &["device", "init", "--store", "phone"]);
    for args in [
        vec!["credential", "verify", "poison.json", "--offline"],
        vec!["credential", "verify", "--qr", "poison.png", "--offline"],
        vec![
            "device",
            "credential",
            "add",
            "--store",
            "phone",
            "poison.json",
        ],
    ] {
        let started = std::time::Instant::now();
        let out = skillpack(d, &args);
        let took = started.elapsed();
        assert!(!out.status.success(), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("too alike"), "{args:?}: {}", text(&out));
        assert!(
            took < std::time::Duration::from_secs(30),
            "{args:?} took {took:?}"
        );
    }
    assert!(ok(d, &["device", "credentials", "--store", "phone"]).contains("no credentials yet"));
}

/// 1EdTech's own signed Open Badges 3.0 test vector, whose issuer is an https address: refused
/// while its key is unknown, valid with the issuer's controller document, and trusted when
/// the verifier names the key the document lists.
#[test]
fn the_open_badges_vector_verifies_with_its_issuers_controller_document() {
    let dir = tempfile::tempdir().unwrap();
    let vector = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/vectors/ob3-eddsa-rdfc-2022");
    let signed = vector.join("signed-openbadgecredential.json");
    let document = vector.join("controller-document.json");
    let (signed, document) = (signed.to_str().unwrap(), document.to_str().unwrap());
    let unknown = skillpack(dir.path(), &["credential", "verify", signed, "--offline"]);
    assert_eq!(unknown.status.code(), Some(1), "{}", text(&unknown));
    assert!(
        text(&unknown).contains("is not known"),
        "{}",
        text(&unknown)
    );
    let base = [
        "credential",
        "verify",
        signed,
        "--offline",
        "--controller",
        document,
    ];
    let valid = skillpack(dir.path(), &base);
    assert_eq!(valid.status.code(), Some(4), "{}", text(&valid));
    assert!(
        text(&valid).contains("issued by Example Corp (https://example.edu/issuers/565049)"),
        "{}",
        text(&valid)
    );
    let key = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
    let trusted = skillpack(dir.path(), &[&base[..], &["--trust", key]].concat());
    assert!(
        text(&trusted).contains("trusted: Example Corp"),
        "{}",
        text(&trusted)
    );
}
