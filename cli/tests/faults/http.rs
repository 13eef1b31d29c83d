//! Just enough HTTP/1.1 for the fault proxy: read one request or response off a stream (its
//! head, then a body framed by `Content-Length`, by chunked transfer coding or, for a
//! response, by the end of the connection) and write it out again framed by one
//! `Content-Length`. Bodies are read whole, so a fault can cut or flip them anywhere; every
//! read is bounded, so a runaway upstream cannot fill the test's memory.

use std::io::{self, BufRead, Read};

/// Longest head (start line and headers) read.
const MAX_HEAD: usize = 64 << 10;

/// Longest body read: the sample packs are well under 1 MiB.
const MAX_BODY: u64 = 64 << 20;

/// Headers about one hop's framing and connection, which the proxy sets itself.
const HOP_HEADERS: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "content-length",
];

/// What is being read: a request, or the response to a request (whose method decides
/// whether a body may follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A request from a device.
    Request,
    /// A hub's response; `to_head` when the request was a `HEAD`.
    Response {
        /// The request was a `HEAD`: no body follows, whatever the headers say.
        to_head: bool,
    },
}

/// One HTTP/1.1 message: its start line, its headers in order and its body (decoded, if it
/// came in chunks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The request line or status line, without its line end.
    pub start: String,
    /// Every header as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// A response that has no body by definition (to a `HEAD`, or 1xx, 204, 304): its
    /// `Content-Length`, if any, describes another message and is passed on as it was.
    pub bodiless: bool,
}

impl Message {
    /// A response made by the proxy itself, as a load balancer would answer.
    pub fn response(status: u16, reason: &str, content_type: &str, body: &[u8]) -> Self {
        Self {
            start: format!("HTTP/1.1 {status} {reason}"),
            headers: vec![("content-type".into(), content_type.into())],
            body: body.to_vec(),
            bodiless: false,
        }
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A request's method.
    pub fn method(&self) -> &str {
        self.start.split(' ').next().unwrap_or("")
    }

    /// A request's target (path and query).
    pub fn target(&self) -> &str {
        self.start.split(' ').nth(1).unwrap_or("")
    }

    /// A response's status code.
    pub fn status(&self) -> Option<u16> {
        self.start.split(' ').nth(1)?.parse().ok()
    }

    /// Whether the sender asked to close the connection after this message.
    pub fn wants_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")))
    }

    /// The message as bytes, its framing set by the proxy: one `Content-Length` (kept as it
    /// was for a bodiless response) and `Connection: connection`. Returns the bytes and
    /// where the body starts in them.
    pub fn encode(&self, connection: &str) -> (Vec<u8>, usize) {
        let mut head = format!("{}\r\n", self.start);
        for (name, value) in &self.headers {
            let length_kept = self.bodiless && name.eq_ignore_ascii_case("content-length");
            if length_kept || !HOP_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        if !self.bodiless {
            head.push_str(&format!("content-length: {}\r\n", self.body.len()));
        }
        head.push_str(&format!("connection: {connection}\r\n\r\n"));
        let mut out = head.into_bytes();
        let body_at = out.len();
        out.extend_from_slice(&self.body);
        (out, body_at)
    }
}

/// Reads one message. `Ok(None)` when the stream ended before its first byte: a client
/// closing a kept-alive connection between requests.
pub fn read_message(r: &mut impl BufRead, side: Side) -> io::Result<Option<Message>> {
    let Some(lines) = read_head(r)? else {
        return Ok(None);
    };
    let mut lines = lines.into_iter();
    let start = lines.next().unwrap_or_default();
    let headers = lines
        .map(|line| match line.split_once(':') {
            Some((name, value)) => Ok((name.trim().to_owned(), value.trim().to_owned())),
            None => Err(bad(format!("a header line without a colon: {line:?}"))),
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut message = Message {
        start,
        headers,
        body: Vec::new(),
        bodiless: false,
    };
    message.bodiless = match side {
        Side::Request => false,
        Side::Response { to_head } => {
            let status = message.status().ok_or_else(|| bad("no status code"))?;
            to_head || status < 200 || status == 204 || status == 304
        }
    };
    if message.bodiless {
        return Ok(Some(message));
    }
    let chunked = message
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = message.header("content-length").map(str::trim);
    message.body = match (chunked, length) {
        (true, _) => read_chunked(r)?,
        (false, Some(n)) => {
            let n: u64 = n.parse().map_err(|_| bad("a bad content-length"))?;
            read_exactly(r, n)?
        }
        // A request says when it has a body; a response without length runs to the end.
        (false, None) if side == Side::Request => Vec::new(),
        (false, None) => read_to_end(r)?,
    };
    Ok(Some(message))
}

/// The head's lines, without line ends; `None` at the end of the stream.
fn read_head(r: &mut impl BufRead) -> io::Result<Option<Vec<String>>> {
    let (mut lines, mut read) = (Vec::new(), 0);
    loop {
        let mut line = Vec::new();
        let n = r
            .by_ref()
            .take((MAX_HEAD - read + 1) as u64)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return match read {
                0 => Ok(None),
                _ => Err(io::ErrorKind::UnexpectedEof.into()),
            };
        }
        read += n;
        if read > MAX_HEAD {
            return Err(bad("a head over 64 KiB"));
        }
        if !line.ends_with(b"\n") {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let text = String::from_utf8(line).map_err(|_| bad("a head that is not UTF-8"))?;
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            // Blank lines before a request line are allowed (RFC 9112, 2.2).
            if lines.is_empty() {
                continue;
            }
            return Ok(Some(lines));
        }
        lines.push(text.to_owned());
    }
}

/// A body in chunked transfer coding, decoded; trailers are read and dropped.
fn read_chunked(r: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(r)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size, 16).map_err(|_| bad("a bad chunk size"))?;
        if size == 0 {
            while !read_line(r)?.is_empty() {}
            return Ok(body);
        }
        if body.len() as u64 + size > MAX_BODY {
            return Err(bad("a body over the proxy's limit"));
        }
        body.extend(read_exactly(r, size)?);
        if !read_line(r)?.is_empty() {
            return Err(bad("a chunk longer than it said"));
        }
    }
}

fn read_line(r: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    r.by_ref().take(4096).read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    let text = String::from_utf8(line).map_err(|_| bad("a line that is not UTF-8"))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

fn read_exactly(r: &mut impl Read, n: u64) -> io::Result<Vec<u8>> {
    if n > MAX_BODY {
        return Err(bad("a body over the proxy's limit"));
    }
    let mut body = vec![0; n as usize];
    r.read_exact(&mut body)?;
    Ok(body)
}

fn read_to_end(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    r.by_ref().take(MAX_BODY + 1).read_to_end(&mut body)?;
    if body.len() as u64 > MAX_BODY {
        return Err(bad("a body over the proxy's limit"));
    }
    Ok(body)
}

fn bad(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], side: Side) -> io::Result<Option<Message>> {
        read_message(&mut io::BufReader::new(bytes), side)
    }

    const RESPONSE: Side = Side::Response { to_head: false };

    #[test]
    fn a_request_with_a_body_and_the_next_on_the_same_connection_are_read_apart() {
        let bytes = b"POST /v1/records HTTP/1.1\r\nHost: hub\r\nContent-Length: 5\r\n\r\nhelloGET /v1/nonce HTTP/1.1\r\nhost: hub\r\n\r\n";
        let mut r = io::BufReader::new(&bytes[..]);
        let post = read_message(&mut r, Side::Request).unwrap().unwrap();
        assert_eq!((post.method(), post.target()), ("POST", "/v1/records"));
        assert_eq!(post.header("content-length"), Some("5"));
        assert_eq!(post.body, b"hello");
        let get = read_message(&mut r, Side::Request).unwrap().unwrap();
        assert_eq!((get.method(), get.body.len()), ("GET", 0));
        assert!(
            read_message(&mut r, Side::Request).unwrap().is_none(),
            "closed"
        );
    }

    #[test]
    fn a_chunked_response_is_decoded_and_its_trailers_dropped() {
        let bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nx-trailer: y\r\n\r\n";
        let message = read(bytes, RESPONSE).unwrap().unwrap();
        assert_eq!(message.status(), Some(200));
        assert_eq!(message.body, b"Wikipedia");
    }

    #[test]
    fn a_response_without_length_runs_to_the_end_of_the_connection() {
        let message = read(b"HTTP/1.1 200 OK\r\n\r\nall of it", RESPONSE)
            .unwrap()
            .unwrap();
        assert_eq!(message.body, b"all of it");
    }

    #[test]
    fn responses_without_bodies_keep_their_length_and_read_nothing_more() {
        for (bytes, side) in [
            (
                &b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"[..],
                RESPONSE,
            ),
            (
                &b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"[..],
                Side::Response { to_head: true },
            ),
        ] {
            let message = read(bytes, side).unwrap().unwrap();
            assert!(message.bodiless && message.body.is_empty());
            let (out, body_at) = message.encode("keep-alive");
            let text = String::from_utf8(out.clone()).unwrap();
            assert!(text.contains("Content-Length: 9\r\n"), "{text}");
            assert_eq!(body_at, out.len());
        }
    }

    #[test]
    fn encoding_replaces_the_framing_with_one_length_and_the_proxys_connection() {
        let bytes = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
        let message = read(bytes, RESPONSE).unwrap().unwrap();
        assert!(message.wants_close());
        let (out, body_at) = message.encode("keep-alive");
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}"
        );
        assert_eq!(&out[body_at..], b"{}");
        let again = read(&out, RESPONSE).unwrap().unwrap();
        assert_eq!((&again.body[..], again.wants_close()), (&b"{}"[..], false));
    }

    #[test]
    fn cut_or_broken_messages_are_errors_not_messages() {
        for (bytes, side) in [
            (&b"GET / HTTP/1.1\r\nHost: h"[..], Side::Request),
            (
                &b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort"[..],
                Side::Request,
            ),
            (
                &b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n"[..],
                Side::Request,
            ),
            (
                &b"GET / HTTP/1.1\r\nno colon here\r\n\r\n"[..],
                Side::Request,
            ),
            (
                &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"[..],
                RESPONSE,
            ),
            (
                &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"[..],
                RESPONSE,
            ),
            (&b"HTTP/1.1 OK\r\n\r\n"[..], RESPONSE),
        ] {
            assert!(
                read(bytes, side).is_err(),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let huge = format!("GET / HTTP/1.1\r\nx: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(
            read(huge.as_bytes(), Side::Request).is_err(),
            "head bounded"
        );
        let long = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert!(
            read(long.as_bytes(), Side::Request).is_err(),
            "body bounded"
        );
    }
}
