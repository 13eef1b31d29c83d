//! The formats a pack is compared with, made by their usual tools from the same files:
//! `zip -9` (what a SCORM or H5P package is), `tar.xz -9`, and a Kiwix ZIM (libzim).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

/// Size of `zip -9` of `files` (paths relative to `root`).
pub fn zip9(root: &Path, files: &[String], work: &Path) -> anyhow::Result<u64> {
    let out = work.join("peer.zip");
    let _ = fs::remove_file(&out);
    run_with_list(
        Command::new("zip")
            .args(["-9", "-q", "-X"])
            .arg(&out)
            .arg("-@")
            .current_dir(root),
        files,
    )?;
    Ok(fs::metadata(out)?.len())
}

/// Size of `tar` compressed with `xz -9`.
pub fn tar_xz9(root: &Path, files: &[String], work: &Path) -> anyhow::Result<u64> {
    let out = work.join("peer.tar.xz");
    run_with_list(
        Command::new("tar")
            .args(["--sort=name", "-cJf"])
            .arg(&out)
            .args(["-T", "-"])
            .env("XZ_OPT", "-9")
            .current_dir(root),
        files,
    )?;
    Ok(fs::metadata(out)?.len())
}

/// Size of a ZIM of `files` (libzim's default cluster size, or `cluster` bytes), or `None`
/// when Python's libzim is not installed.
pub fn zim(
    root: &Path,
    files: &[String],
    work: &Path,
    script: &Path,
    cluster: Option<u64>,
) -> anyhow::Result<Option<u64>> {
    let has_libzim = Command::new("python3")
        .args(["-c", "import libzim"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_libzim {
        return Ok(None);
    }
    let tree = work.join("zim-src");
    let _ = fs::remove_dir_all(&tree);
    for f in files {
        let target = tree.join(f);
        fs::create_dir_all(target.parent().context("file has a folder")?)?;
        fs::copy(root.join(f), target)?;
    }
    let out = work.join("peer.zim");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(&tree).arg(&out);
    if let Some(bytes) = cluster {
        cmd.arg(bytes.to_string());
    }
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
    if !status.success() {
        bail!("make_zim.py failed");
    }
    Ok(Some(fs::metadata(out)?.len()))
}

fn run_with_list(cmd: &mut Command, files: &[String]) -> anyhow::Result<()> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("starting the peer tool")?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().context("stdin")?;
        for f in files {
            writeln!(stdin, "{f}")?;
        }
    }
    if !child.wait()?.success() {
        bail!("{cmd:?} failed");
    }
    Ok(())
}
