//! A JSON body built once and sent many times, compressed at most once per
//! encoding. Compressing a large list on every request (as the response
//! compression layer would) costs far more than building it: 1,000
//! projects are ~120 KB of JSON, ~2.5 KB in brotli.

use std::io::Write;
use std::sync::OnceLock;

use bytes::Bytes;

/// An encoding a client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The best encoding an `Accept-Encoding` header allows (brotli, then
    /// gzip), honouring `;q=0`.
    pub fn negotiate(accept: Option<&str>) -> Self {
        let accepts = |name: &str| {
            accept.into_iter().flat_map(|a| a.split(',')).any(|item| {
                let mut parts = item.split(';');
                let token = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                token.eq_ignore_ascii_case(name) && !refused
            })
        };
        if accepts("br") {
            Self::Brotli
        } else if accepts("gzip") {
            Self::Gzip
        } else {
            Self::Identity
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some("gzip"),
            Self::Brotli => Some("br"),
        }
    }
}

/// One JSON body and its compressed forms, made on first use.
#[derive(Debug)]
pub struct Rendered {
    json: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

impl Rendered {
    pub fn new(json: Bytes) -> Self {
        Self {
            json,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The body in `encoding`; falls back to the plain JSON (and says so)
    /// if compressing fails, which only a bug could cause.
    pub fn body(&self, encoding: Encoding) -> (Encoding, Bytes) {
        let compressed = match encoding {
            Encoding::Identity => None,
            Encoding::Gzip => Some(self.gzip.get_or_init(|| gzip(&self.json))),
            Encoding::Brotli => Some(self.brotli.get_or_init(|| brotli(&self.json))),
        };
        match compressed {
            Some(bytes) if !bytes.is_empty() => (encoding, bytes.clone()),
            _ => (Encoding::Identity, self.json.clone()),
        }
    }
}

fn gzip(data: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    match encoder.write_all(data).and_then(|()| encoder.finish()) {
        Ok(out) => Bytes::from(out),
        Err(_) => Bytes::new(),
    }
}

/// Quality 5: a few milliseconds for a large list, most of the gain of 11.
fn brotli(data: &[u8]) -> Bytes {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 5,
        lgwin: 22,
        ..Default::default()
    };
    match brotli::BrotliCompress(&mut &data[..], &mut out, &params) {
        Ok(_) => Bytes::from(out),
        Err(_) => Bytes::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn negotiation_prefers_brotli_and_honours_q_zero() {
        assert_eq!(Encoding::negotiate(None), Encoding::Identity);
        assert_eq!(
            Encoding::negotiate(Some("gzip, deflate, br, zstd")),
            Encoding::Brotli
        );
        assert_eq!(Encoding::negotiate(Some("gzip")), Encoding::Gzip);
        assert_eq!(Encoding::negotiate(Some("br;q=0, gzip")), Encoding::Gzip);
        assert_eq!(Encoding::negotiate(Some("identity")), Encoding::Identity);
    }

    #[test]
    fn compressed_bodies_decompress_to_the_json() {
        let json = Bytes::from(r#"{"items":[]}"#.repeat(100));
        let rendered = Rendered::new(json.clone());
        let (enc, gz) = rendered.body(Encoding::Gzip);
        assert_eq!(enc, Encoding::Gzip);
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .expect("gunzip");
        assert_eq!(plain, json);
        let (enc, br) = rendered.body(Encoding::Brotli);
        assert_eq!(enc, Encoding::Brotli);
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut plain).expect("unbrotli");
        assert_eq!(plain, json);
    }
}
