//! Structured logs. Filter with `RUST_LOG` (default `info`).
//!
//! A logged value may come from a caller (a user name, a path): in the
//! text format, control characters inside a line are escaped, so a value
//! cannot forge a log line or send terminal escape sequences. The JSON
//! format escapes them by itself.

use std::io::{IsTerminal as _, Write};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Logs on stderr: text lines, or one JSON object per line.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // A second init (tests in one process) keeps the first subscriber.
    let _ = if json {
        builder
            .with_writer(std::io::stderr)
            .json()
            .flatten_event(true)
            .try_init()
    } else {
        // Colours only on a terminal; elsewhere every escape is escaped.
        let terminal = std::io::stderr().is_terminal();
        builder
            .with_ansi(terminal)
            .with_writer(EscapingStderr { keep_esc: terminal })
            .try_init()
    };
}

/// Stderr for text lines, escaping control characters inside each line.
#[derive(Clone, Copy)]
struct EscapingStderr {
    /// Let ESC through (the formatter's own colours on a terminal).
    keep_esc: bool,
}

impl<'a> MakeWriter<'a> for EscapingStderr {
    type Writer = EscapingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        EscapingWriter {
            keep_esc: self.keep_esc,
        }
    }
}

/// Receives one whole event per `write` (the formatter writes its line in
/// one go), so only the line's final newline is kept as is.
struct EscapingWriter {
    keep_esc: bool,
}

impl Write for EscapingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = escape_line(buf, self.keep_esc);
        std::io::stderr().lock().write_all(&line)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn escape_line(buf: &[u8], keep_esc: bool) -> Vec<u8> {
    let (body, end): (&[u8], &[u8]) = match buf.strip_suffix(b"\n") {
        Some(body) => (body, b"\n"),
        None => (buf, b""),
    };
    let mut out = Vec::with_capacity(buf.len() + 8);
    for &b in body {
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.push(b),
            0x1b if keep_esc => out.push(b),
            0..=0x1f | 0x7f => {
                let _ = write!(out, "\\x{b:02x}");
            }
            _ => out.push(b),
        }
    }
    out.extend_from_slice(end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_inside_a_line_are_escaped() {
        let line = b"INFO sign-in refused user=eve\nINFO signed in user=admin\x1b[2J\r\x07 ok\n";
        let escaped = escape_line(line, false);
        assert_eq!(
            String::from_utf8(escaped).expect("utf-8"),
            "INFO sign-in refused user=eve\\nINFO signed in user=admin\\x1b[2J\\r\\x07 ok\n"
        );
        assert_eq!(escape_line("é\tü\n".as_bytes(), false), "é\tü\n".as_bytes());
        assert_eq!(escape_line(b"\x1b[1mbold\n", true), b"\x1b[1mbold\n");
    }
}
