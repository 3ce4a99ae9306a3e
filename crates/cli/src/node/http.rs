//! The node's HTTP/1.1 layer: a thread per connection reads its requests (keep-alive), hands
//! each to the node's one thread with a channel for the answer, and writes the answers back in
//! order. A thread per connection, rather than a pool: a keep-alive connection's reader lives as
//! long as the connection, and a browser opens several at once, so no connection may wait for a
//! thread another one holds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

/// The most header bytes a request may carry.
const MAX_HEAD: usize = 64 * 1024;
/// The most of an oversized body read past before its connection is closed.
const MAX_DRAIN: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Options,
    Other,
}

/// What the node sends back for a request.
pub enum Answer {
    Response {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// The headers of an answer and a malformed chunk, then the connection is closed: a client
    /// sees its connection fail mid-answer.
    Broken,
}

/// A request, with the way back to its connection. Dropped unanswered, the connection closes.
pub struct Request {
    pub method: Method,
    /// The path without its query.
    pub path: String,
    /// The body, or `None` if it was larger than the node reads.
    pub body: Option<Vec<u8>>,
    answer: mpsc::Sender<Answer>,
}

impl Request {
    pub fn respond(self, status: u16, content_type: &'static str, body: Vec<u8>) {
        // A connection that went away gets nothing: the node goes on.
        let _ = self.answer.send(Answer::Response { status, content_type, body });
    }

    pub fn break_off(self) {
        let _ = self.answer.send(Answer::Broken);
    }
}

pub struct Server {
    requests: mpsc::Receiver<Request>,
    addr: SocketAddr,
}

impl Server {
    /// Listens on `127.0.0.1:port` (0: any free port). Connections get `TCP_NODELAY`: an answer
    /// is written in pieces, and Nagle's algorithm against a client's delayed ACK would hold
    /// each back for tens of milliseconds.
    pub fn bind(port: u16, max_body: usize) -> std::io::Result<Server> {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        socket.bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
        socket.listen(1024)?;
        let listener = TcpListener::from(socket);
        let addr = listener.local_addr()?;
        let (sender, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sender = sender.clone();
                std::thread::spawn(move || {
                    let _ = stream.set_nodelay(true);
                    let _ = connection(stream, &sender, max_body);
                });
            }
        });
        Ok(Server { requests, addr })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The next request, waiting at most `timeout`.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Request> {
        self.requests.recv_timeout(timeout).ok()
    }
}

/// Serves one connection until the client closes it, asks to, or an answer breaks it.
fn connection(stream: TcpStream, requests: &mpsc::Sender<Request>, max_body: usize) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some(head) = read_head(&mut reader)? else { return Ok(()) };
        let mut lines = head.lines();
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let (method, target, version) =
            (request_line.next().unwrap_or(""), request_line.next().unwrap_or("/"), request_line.next().unwrap_or(""));
        let mut length = 0usize;
        let mut close = version != "HTTP/1.1";
        for line in lines {
            let Some((name, value)) = line.split_once(':') else { continue };
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_ascii_lowercase());
            match name.as_str() {
                "content-length" => length = value.parse().unwrap_or(usize::MAX),
                "connection" if value.contains("close") => close = true,
                "connection" if value.contains("keep-alive") => close = false,
                _ => {}
            }
        }
        // A body too large to keep is read past (the client writes it all before it reads the
        // answer), answered, and the connection closed.
        let body = if length <= max_body {
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            Some(body)
        } else {
            std::io::copy(&mut (&mut reader).take(length.min(MAX_DRAIN) as u64), &mut std::io::sink())?;
            close = true;
            None
        };
        let method = match method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        };
        let path = target.split('?').next().unwrap_or("/").to_string();
        let (answer, answered) = mpsc::channel();
        if requests.send(Request { method, path, body, answer }).is_err() {
            return Ok(());
        }
        match answered.recv() {
            Ok(Answer::Response { status, content_type, body }) => {
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                     Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Methods: GET, POST, OPTIONS\r\n\
                     Access-Control-Allow-Headers: *\r\nConnection: {}\r\n\r\n",
                    reason(status),
                    body.len(),
                    if close { "close" } else { "keep-alive" }
                );
                writer.write_all(head.as_bytes())?;
                writer.write_all(&body)?;
                writer.flush()?;
                if close {
                    return Ok(());
                }
            }
            Ok(Answer::Broken) => {
                writer.write_all(
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nbroken\r\n",
                )?;
                return Ok(());
            }
            // Dropped unanswered (an injected timeout ran out).
            Err(_) => return Ok(()),
        }
    }
}

/// The request line and headers, up to the blank line (`None`: the client closed first).
fn read_head(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<String>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if line == "\r\n" || line == "\n" {
            if head.is_empty() {
                continue; // stray blank lines between requests
            }
            return Ok(Some(head));
        }
        head += &line;
        if head.len() > MAX_HEAD {
            return Err(std::io::Error::other("request headers too large"));
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Error",
    }
}
