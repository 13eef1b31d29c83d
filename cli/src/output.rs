//! Standard output that a closed pipe cannot crash: `skillpack inspect X --json | head -1`
//! ends the command quietly once the reader has gone, as any Unix tool does, where Rust's
//! `println!` would panic. Every line the command prints goes through [`outln!`].

use std::io::Write;

/// Prints a line to standard output; see [`line`].
macro_rules! outln {
    () => {
        $crate::output::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints text to standard output without a newline; see [`line`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*))
    };
}

/// Writes to standard output. When the reader has closed the pipe the command has nothing
/// left to do: it exits at once, successfully. Any other failure to write (a full disk
/// behind a redirect) exits with an error.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_fmt(args).and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: writing the output: {e}");
            std::process::exit(1)
        }
    }
}
