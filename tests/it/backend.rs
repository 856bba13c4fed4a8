//! A hand-written HTTP backend for the tests: it records what it receives and answers as
//! told (a SOAP message, HTML, nothing, a hang, a dropped connection).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The customers contract's `Ping` answer, SOAP 1.2: what a route that only needs a
/// backend to answer gets from it.
pub const PING: &str = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><c:PingResponse xmlns:c="http://example.com/soapbridge/customers"><c:serverTime>2026-12-02T10:00:00Z</c:serverTime><c:version>1</c:version></c:PingResponse></env:Body></env:Envelope>"#;

/// One request as the backend saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub request_line: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body's bytes (`body` is their lossy UTF-8 reading).
    pub raw: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub enum Reply {
    Http {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// A SOAP 1.2 answer sent in HTTP chunks as it is made: `head`, then `count` copies of
    /// `item` (`bad` replaces the one at its index), then `tail`. `cut_after`: the
    /// connection is closed after that many items, mid-answer.
    Stream {
        head: String,
        item: String,
        count: usize,
        tail: String,
        bad: Option<(usize, String)>,
        cut_after: Option<usize>,
    },
    /// Accept the request and never answer.
    Hang,
    /// Read the request, then close the connection without a word.
    Drop,
}

impl Reply {
    pub fn soap11(status: u16, body: &str) -> Self {
        Reply::Http {
            status,
            content_type: Some("text/xml; charset=utf-8".into()),
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn soap12(status: u16, body: &str) -> Self {
        Reply::Http {
            status,
            content_type: Some("application/soap+xml; charset=utf-8".into()),
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn raw(status: u16, content_type: &str, body: &str) -> Self {
        Reply::Http {
            status,
            content_type: Some(content_type.into()),
            body: body.as_bytes().to_vec(),
        }
    }
}

pub struct Backend {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    reply: Arc<Mutex<Reply>>,
}

impl Backend {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn set_reply(&self, r: Reply) {
        *self.reply.lock().expect("lock") = r;
    }

    pub fn last(&self) -> Received {
        self.received
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("the backend received a request")
    }

    pub fn count(&self) -> usize {
        self.received.lock().expect("lock").len()
    }
}

/// Starts the backend on 127.0.0.1 (ephemeral port) with an initial reply.
pub async fn start(reply: Reply) -> Backend {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received = Arc::new(Mutex::new(Vec::new()));
    let reply = Arc::new(Mutex::new(reply));
    let (rec, rep) = (received.clone(), reply.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (rec, rep) = (rec.clone(), rep.clone());
            tokio::spawn(async move {
                let Some(req) = read_request(&mut sock).await else {
                    return;
                };
                rec.lock().expect("lock").push(req);
                let reply = rep.lock().expect("lock").clone();
                match reply {
                    Reply::Stream {
                        head,
                        item,
                        count,
                        tail,
                        bad,
                        cut_after,
                    } => {
                        let _ =
                            stream_answer(&mut sock, &head, &item, count, &tail, bad, cut_after)
                                .await;
                    }
                    Reply::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
                    Reply::Drop => {}
                    Reply::Http {
                        status,
                        content_type,
                        body,
                    } => {
                        let mut head = format!(
                            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                            body.len()
                        );
                        if let Some(ct) = content_type {
                            head.push_str(&format!("Content-Type: {ct}\r\n"));
                        }
                        head.push_str("\r\n");
                        let _ = sock.write_all(head.as_bytes()).await;
                        let _ = sock.write_all(&body).await;
                        let _ = sock.shutdown().await;
                    }
                }
            });
        }
    });
    Backend {
        addr,
        received,
        reply,
    }
}

/// Writes a [`Reply::Stream`] in HTTP/1.1 chunks of about 64 KiB.
async fn stream_answer(
    sock: &mut tokio::net::TcpStream,
    head: &str,
    item: &str,
    count: usize,
    tail: &str,
    bad: Option<(usize, String)>,
    cut_after: Option<usize>,
) -> std::io::Result<()> {
    async fn chunk(sock: &mut tokio::net::TcpStream, data: &[u8]) -> std::io::Result<()> {
        sock.write_all(format!("{:x}\r\n", data.len()).as_bytes())
            .await?;
        sock.write_all(data).await?;
        sock.write_all(b"\r\n").await
    }
    sock.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n\
          Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    )
    .await?;
    let mut buf = head.as_bytes().to_vec();
    for i in 0..count {
        if cut_after == Some(i) {
            chunk(sock, &buf).await?;
            return sock.shutdown().await;
        }
        match &bad {
            Some((at, text)) if *at == i => buf.extend_from_slice(text.as_bytes()),
            _ => buf.extend_from_slice(item.as_bytes()),
        }
        if buf.len() >= 64 * 1024 {
            chunk(sock, &buf).await?;
            buf.clear();
        }
    }
    buf.extend_from_slice(tail.as_bytes());
    chunk(sock, &buf).await?;
    sock.write_all(b"0\r\n\r\n").await?;
    sock.shutdown().await
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[header_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        request_line,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        raw: body,
    })
}

/// An address where nothing listens (bound, then released).
pub async fn refused_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let a = l.local_addr().expect("addr");
    drop(l);
    a
}
