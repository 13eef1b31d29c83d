//! A request body that must keep coming: after a grace period it must have arrived at a
//! minimum average rate, and all of it within the request's deadline. A client that sends
//! one byte every few seconds (enough to pass the idle timeout) is cut off at the grace
//! period's end instead of holding its connection for as long as it likes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::{Instant, Sleep};

/// How fast a body must come.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    /// Time a body may take before the rate counts (a phone waking its radio, a slow start).
    pub grace: Duration,
    /// Bytes a second, averaged from the start, that a body must keep up after the grace.
    pub min_rate: u32,
    /// Time from the request's head to the body's last byte, at most.
    pub deadline: Duration,
}

/// Why a body was cut off.
#[derive(Debug, thiserror::Error)]
pub(super) enum PaceError {
    /// The body came slower than the minimum rate.
    #[error("the body came slower than {0} bytes a second")]
    TooSlow(u32),
    /// The body was not all there by the request's deadline.
    #[error("the body was not all sent within {0} seconds")]
    PastDeadline(u64),
    /// The connection failed.
    #[error(transparent)]
    Connection(#[from] hyper::Error),
}

/// [`Incoming`], cut off when it falls behind its [`Pace`].
pub(super) struct PacedBody {
    inner: Incoming,
    pace: Pace,
    started: Instant,
    received: u64,
    timer: Pin<Box<Sleep>>,
}

impl PacedBody {
    pub(super) fn new(inner: Incoming, pace: Pace) -> Self {
        let started = Instant::now();
        let mut body = Self {
            inner,
            pace,
            started,
            received: 0,
            timer: Box::pin(tokio::time::sleep_until(started)),
        };
        let first = body.next_check();
        body.timer.as_mut().reset(first);
        body
    }

    /// When the body is next due: when what has come would fall under the rate, or the
    /// deadline, whichever is first.
    fn next_check(&self) -> Instant {
        let earned =
            Duration::from_secs_f64(self.received as f64 / f64::from(self.pace.min_rate.max(1)));
        (self.started + self.pace.grace + earned).min(self.started + self.pace.deadline)
    }

    fn why_late(&self) -> PaceError {
        if self.started.elapsed() >= self.pace.deadline {
            PaceError::PastDeadline(self.pace.deadline.as_secs())
        } else {
            PaceError::TooSlow(self.pace.min_rate)
        }
    }
}

impl Body for PacedBody {
    type Data = Bytes;
    type Error = PaceError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, PaceError>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.received += data.len() as u64;
                    let next = self.next_check();
                    self.timer.as_mut().reset(next);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(self.why_late()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
