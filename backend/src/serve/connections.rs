//! Limits on the console's connections, so slow or idle clients cannot
//! starve the server: headers must arrive within a timeout (which also
//! ends idle keep-alive connections), and beyond a cap new connections are
//! closed at once instead of using up file descriptors.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::settings::ConnectionLimits;

/// Applies the header timeout to `server`'s HTTP settings.
pub fn configure<A: axum_server::Address, Acc>(
    limits: &ConnectionLimits,
    server: &mut axum_server::Server<A, Acc>,
) {
    server
        .http_builder()
        .http1()
        .header_read_timeout(Some(limits.header_timeout));
}

/// Accepts a connection only while fewer than the cap are open; the
/// connection holds its place until it closes.
#[derive(Clone)]
pub struct CapAcceptor {
    open: Arc<Semaphore>,
}

impl CapAcceptor {
    pub fn new(max_connections: usize) -> Self {
        Self {
            open: Arc::new(Semaphore::new(max_connections.max(1))),
        }
    }
}

impl<I, S> Accept<I, S> for CapAcceptor {
    type Stream = Counted<I>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Counted<I>, S)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        std::future::ready(match self.open.clone().try_acquire_owned() {
            Ok(permit) => Ok((
                Counted {
                    inner: stream,
                    _permit: permit,
                },
                service,
            )),
            // Dropping the stream closes the connection.
            Err(_) => Err(io::Error::other("too many open connections")),
        })
    }
}

/// A connection that counts towards the cap while it is open.
pub struct Counted<I> {
    inner: I,
    _permit: OwnedSemaphorePermit,
}

impl<I: AsyncRead + Unpin> AsyncRead for Counted<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Counted<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
