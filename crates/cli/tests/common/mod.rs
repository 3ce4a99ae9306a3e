//! Shared by the node's tests: how a test node is started, and a raw JSON-RPC call over HTTP
//! for what typed clients do not send.

/// POSTs `body` to the node on `port` (one connection per request, HTTP/1.0 so a large answer
/// comes whole rather than in chunks) and returns the parsed response.
pub fn post(port: u16, body: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    serde_json::from_str(response.split_once("\r\n\r\n").unwrap().1).unwrap()
}

/// A node for tests: a free port, each transaction mined at once, 2 validators, 1 dev account,
/// the keeper on.
pub fn options(epoch_length: u64, state: Option<std::path::PathBuf>) -> lst::node::Options {
    lst::node::Options {
        port: 0,
        block_time: std::time::Duration::ZERO,
        epoch_length,
        validators: 2,
        accounts: 1,
        keeper: true,
        state,
        app: None,
    }
}
