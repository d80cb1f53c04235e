//! The order the linker places the functions of the `sandtrap` binary in: those a short run
//! executes first, side by side (`link/startup.order`, written by `bench/startup_order.sh`).
//!
//! The kernel maps the code around every page a run touches. Spread over the whole binary, the
//! functions of a one-file check kept most of its 10 MB of code resident; side by side they are
//! 1.6 MB. The order changes where functions lie, never what they do.
//!
//! Only a linker that takes `--symbol-ordering-file` can be asked (lld, the default on
//! `x86_64-unknown-linux-gnu` since Rust 1.90; not GNU ld, nor the linkers of macOS and
//! Windows). Whether this build's linker does is tried, not guessed: an empty program is linked
//! with the same compiler, target, linker and flags, and the order asked for. When that fails
//! the binary is linked as it always was.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the list lives, from the package root.
const ORDER: &str = "link/startup.order";

/// Asks the linker of the `sandtrap` binary to follow [`ORDER`], when it can.
pub fn configure(root: &Path) {
    println!("cargo::rerun-if-changed={ORDER}");
    // The linkers of other systems take other flags (or, on Windows, warn and go on).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let order = root.join(ORDER);
    if !order.is_file() {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={}", order.display()),
        // A listed function since renamed or removed is no reason for a warning.
        "-Wl,--no-warn-symbol-ordering".to_owned(),
    ];
    if links_with(&args) {
        for arg in args {
            println!("cargo::rustc-link-arg-bin=sandtrap={arg}");
        }
    }
}

/// Whether an empty program links for this build's target with `args` added: the compiler,
/// target, linker and flags are the ones cargo uses for the package.
fn links_with(args: &[String]) -> bool {
    let (Some(rustc), Some(out), Ok(target)) = (
        std::env::var_os("RUSTC"),
        std::env::var_os("OUT_DIR"),
        std::env::var("TARGET"),
    ) else {
        return false;
    };
    let mut command = Command::new(rustc);
    command
        .args([
            "--crate-type=bin",
            "--crate-name=link_order_probe",
            "--edition=2021",
        ])
        .arg("--target")
        .arg(target)
        .arg("-o")
        .arg(PathBuf::from(out).join("link-order-probe"));
    if let Some(linker) = std::env::var_os("RUSTC_LINKER") {
        let mut flag = OsString::from("linker=");
        flag.push(linker);
        command.arg("-C").arg(flag);
    }
    if let Ok(flags) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        command.args(flags.split('\x1f').filter(|flag| !flag.is_empty()));
    }
    for arg in args {
        command.arg("-C").arg(format!("link-arg={arg}"));
    }
    command
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(b"fn main() {}\n").is_ok());
    child.wait().is_ok_and(|status| status.success()) && written
}
