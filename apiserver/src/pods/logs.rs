//! Containers' logs: what the runner captures and `GET …/pods/NAME/log` serves.
//!
//! Each container attempt's output is kept as lines prefixed with the time
//! they were read (RFC 3339 with nanoseconds, as the kubelet's CRI log files
//! do), at most [`MAX_LOG_BYTES`] per log, dropping the oldest lines. A
//! running container's log lives in a [`LogHub`] entry that followers wait
//! on; it is saved in the store (table `logs`) while it grows and when it
//! ends, and served from there afterwards. `previous` is the attempt before
//! the current one (after a restart with `restartPolicy: OnFailure`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

/// The newest bytes kept per container log.
pub const MAX_LOG_BYTES: usize = 1024 * 1024;

/// The store key of a Pod's log: `namespace/pod/uid/container/{current|previous}`.
pub fn key(ns: &str, pod: &str, uid: &str, container: &str, previous: bool) -> String {
    let which = if previous { "previous" } else { "current" };
    format!("{ns}/{pod}/{uid}/{container}/{which}")
}

/// The prefix of every log of one Pod.
pub fn pod_prefix(ns: &str, pod: &str, uid: &str) -> String {
    format!("{ns}/{pod}/{uid}/")
}

/// A growing log.
#[derive(Debug, Default)]
struct Buffer {
    data: Vec<u8>,
    /// Bytes ever appended (cursor for followers, unaffected by trimming).
    total: u64,
    done: bool,
}

/// One live container log.
#[derive(Debug)]
pub struct LiveLog {
    buf: Mutex<Buffer>,
    changed: watch::Sender<u64>,
}

impl LiveLog {
    fn new(initial: Vec<u8>) -> Self {
        let total = initial.len() as u64;
        Self {
            buf: Mutex::new(Buffer {
                data: initial,
                total,
                done: false,
            }),
            changed: watch::channel(total).0,
        }
    }

    /// Appends one line, stamped now.
    pub fn push_line(&self, line: &[u8]) {
        let stamp = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            .to_string();
        let mut b = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
        b.data.extend_from_slice(stamp.as_bytes());
        b.data.push(b' ');
        b.data.extend_from_slice(line);
        if !line.ends_with(b"\n") {
            b.data.push(b'\n');
        }
        b.total += (stamp.len() + 1 + line.len() + usize::from(!line.ends_with(b"\n"))) as u64;
        trim(&mut b.data);
        let total = b.total;
        drop(b);
        self.changed.send_replace(total);
    }

    /// Marks the log complete: followers end once they have read it all.
    pub fn finish(&self) {
        let mut b = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
        b.done = true;
        let total = b.total;
        drop(b);
        self.changed.send_replace(total);
    }

    /// The whole kept log.
    pub fn snapshot(&self) -> Vec<u8> {
        self.buf
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .data
            .clone()
    }

    /// Bytes after cursor `from` (as many as are still kept), the new
    /// cursor, and whether the log is complete.
    fn read_from(&self, from: u64) -> (Vec<u8>, u64, bool) {
        let b = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
        let start_of_kept = b.total - b.data.len() as u64;
        let from = from.max(start_of_kept);
        let skip = usize::try_from(from - start_of_kept)
            .unwrap_or(usize::MAX)
            .min(b.data.len());
        (b.data[skip..].to_vec(), b.total, b.done)
    }

    /// The kept log and the cursor just after it, taken together.
    fn snapshot_with_cursor(&self) -> (Vec<u8>, u64) {
        let b = self.buf.lock().unwrap_or_else(PoisonError::into_inner);
        (b.data.clone(), b.total)
    }
}

/// Drops whole lines from the front until at most [`MAX_LOG_BYTES`] remain.
fn trim(data: &mut Vec<u8>) {
    if data.len() <= MAX_LOG_BYTES {
        return;
    }
    let excess = data.len() - MAX_LOG_BYTES;
    let cut = data[excess..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(data.len(), |p| excess + p + 1);
    data.drain(..cut);
}

/// The live logs of running containers, by store key. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct LogHub {
    live: Arc<Mutex<HashMap<String, Arc<LiveLog>>>>,
}

impl LogHub {
    /// Starts (or restarts) the live log under `key` with `initial` content.
    pub fn open(&self, key: &str, initial: Vec<u8>) -> Arc<LiveLog> {
        let log = Arc::new(LiveLog::new(initial));
        self.live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_string(), log.clone());
        log
    }

    pub fn get(&self, key: &str) -> Option<Arc<LiveLog>> {
        self.live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// Forgets the live log under `key` (after it was saved).
    pub fn close(&self, key: &str) {
        self.live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}

/// How `GET …/log` renders a log.
#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    pub timestamps: bool,
    pub tail_lines: Option<usize>,
    pub limit_bytes: Option<usize>,
}

/// The stored form → what the client asked for.
pub fn render(stored: &[u8], o: &LogOptions) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = stored.split_inclusive(|b| *b == b'\n').collect();
    if let Some(n) = o.tail_lines {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let mut out = Vec::with_capacity(stored.len());
    for l in lines {
        if o.timestamps {
            out.extend_from_slice(l);
        } else {
            let body = l.iter().position(|b| *b == b' ').map_or(l, |p| &l[p + 1..]);
            out.extend_from_slice(body);
        }
    }
    if let Some(max) = o.limit_bytes {
        out.truncate(max);
    }
    out
}

/// A follower of a live log: first everything kept (rendered with `o`),
/// then new lines until the container ends.
pub fn follow(
    log: Arc<LiveLog>,
    o: LogOptions,
) -> impl futures::Stream<Item = Result<bytes::Bytes, std::convert::Infallible>> {
    async_stream::stream! {
        let mut rx = log.changed.subscribe();
        let (first, mut cursor) = log.snapshot_with_cursor();
        let mut left = o.limit_bytes.unwrap_or(usize::MAX);
        let mut head = render(&first, &LogOptions { limit_bytes: None, ..o.clone() });
        head.truncate(left);
        left -= head.len();
        if !head.is_empty() {
            yield Ok(bytes::Bytes::from(head));
        }
        loop {
            rx.borrow_and_update();
            let (more, next, done) = log.read_from(cursor);
            cursor = next;
            if !more.is_empty() && left > 0 {
                let mut chunk = render(&more, &LogOptions { tail_lines: None, limit_bytes: None, ..o.clone() });
                chunk.truncate(left);
                left -= chunk.len();
                yield Ok(bytes::Bytes::from(chunk));
            }
            if done || left == 0 || rx.changed().await.is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tail_limit_and_timestamps() {
        let stored = b"2026-01-01T00:00:00.1Z one\n2026-01-01T00:00:01.2Z two\n2026-01-01T00:00:02.3Z three\n";
        let plain = |o: LogOptions| String::from_utf8(render(stored, &o)).unwrap_or_default();
        assert_eq!(plain(LogOptions::default()), "one\ntwo\nthree\n");
        assert_eq!(
            plain(LogOptions {
                tail_lines: Some(2),
                ..LogOptions::default()
            }),
            "two\nthree\n"
        );
        assert_eq!(
            plain(LogOptions {
                limit_bytes: Some(5),
                ..LogOptions::default()
            }),
            "one\nt"
        );
        assert_eq!(
            plain(LogOptions {
                timestamps: true,
                tail_lines: Some(1),
                ..LogOptions::default()
            }),
            "2026-01-01T00:00:02.3Z three\n"
        );
    }

    #[test]
    fn keeps_the_newest_whole_lines() {
        let log = LiveLog::new(Vec::new());
        let line = vec![b'x'; 1000];
        for _ in 0..2000 {
            log.push_line(&line);
        }
        let kept = log.snapshot();
        assert!(kept.len() <= MAX_LOG_BYTES);
        assert!(kept.len() > MAX_LOG_BYTES - 2000);
        assert!(kept.iter().filter(|b| **b == b'\n').count() >= 1000);
        assert_eq!(render(&kept, &LogOptions::default()).len() % 1001, 0);
    }
}
