//! FastCGI 1.0 record framing: header layout, record types, padding; pure byte work, no IO.

/// The only protocol version there is.
pub const VERSION: u8 = 1;
/// Size of every record header.
pub const HEADER_LEN: usize = 8;
/// Largest content a record can carry.
pub const MAX_CONTENT: usize = 65535;
/// Largest content we put in one record we send: a multiple of 8, so no padding is needed.
pub const MAX_SEND_CONTENT: usize = 65528;

/// Record types from the specification (section 8).
pub mod kind {
    pub const BEGIN_REQUEST: u8 = 1;
    pub const ABORT_REQUEST: u8 = 2;
    pub const END_REQUEST: u8 = 3;
    pub const PARAMS: u8 = 4;
    pub const STDIN: u8 = 5;
    pub const STDOUT: u8 = 6;
    pub const STDERR: u8 = 7;
    pub const DATA: u8 = 8;
    pub const GET_VALUES: u8 = 9;
    pub const GET_VALUES_RESULT: u8 = 10;
    pub const UNKNOWN_TYPE: u8 = 11;
}

/// Roles a BEGIN_REQUEST can ask for; we only play the responder.
pub const ROLE_RESPONDER: u16 = 1;
/// BEGIN_REQUEST flag: keep the connection open after this request.
pub const FLAG_KEEP_CONN: u8 = 1;

/// protocolStatus values of END_REQUEST.
pub mod status {
    pub const REQUEST_COMPLETE: u8 = 0;
    pub const CANT_MPX_CONN: u8 = 1;
    pub const UNKNOWN_ROLE: u8 = 3;
}

/// A decoded record header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub kind: u8,
    pub request_id: u16,
    pub content_len: u16,
    pub padding_len: u8,
}

impl Header {
    /// Decodes a header; `None` when the version byte is not 1.
    pub fn decode(bytes: &[u8; HEADER_LEN]) -> Option<Header> {
        if bytes[0] != VERSION {
            return None;
        }
        Some(Header {
            kind: bytes[1],
            request_id: u16::from_be_bytes([bytes[2], bytes[3]]),
            content_len: u16::from_be_bytes([bytes[4], bytes[5]]),
            padding_len: bytes[6],
        })
    }
}

/// Appends one record (header, content, padding to a multiple of 8) to `out`.
///
/// `content` must not exceed [`MAX_CONTENT`]; callers split longer data.
pub(crate) fn push(out: &mut Vec<u8>, kind: u8, request_id: u16, content: &[u8]) {
    debug_assert!(content.len() <= MAX_CONTENT);
    let len = content.len().min(MAX_CONTENT);
    let padding = (8 - len % 8) % 8;
    out.reserve(HEADER_LEN + len + padding);
    out.push(VERSION);
    out.push(kind);
    out.extend_from_slice(&request_id.to_be_bytes());
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.push(padding as u8);
    out.push(0);
    out.extend_from_slice(&content[..len]);
    out.extend_from_slice(&[0u8; 8][..padding]);
}

/// Appends a stream's data (STDOUT, STDERR) split into records of at most [`MAX_SEND_CONTENT`].
pub(crate) fn push_stream(out: &mut Vec<u8>, kind: u8, request_id: u16, mut data: &[u8]) {
    while !data.is_empty() {
        let take = data.len().min(MAX_SEND_CONTENT);
        push(out, kind, request_id, &data[..take]);
        data = &data[take..];
    }
}

/// Appends an END_REQUEST record.
pub(crate) fn push_end(out: &mut Vec<u8>, request_id: u16, app_status: u32, protocol_status: u8) {
    let mut body = [0u8; 8];
    body[..4].copy_from_slice(&app_status.to_be_bytes());
    body[4] = protocol_status;
    push(out, kind::END_REQUEST, request_id, &body);
}

/// Appends an UNKNOWN_TYPE management record naming the type we did not understand.
pub(crate) fn push_unknown_type(out: &mut Vec<u8>, unknown: u8) {
    let mut body = [0u8; 8];
    body[0] = unknown;
    push(out, kind::UNKNOWN_TYPE, 0, &body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_padded_to_eight_bytes() {
        let mut out = Vec::new();
        push(&mut out, kind::STDOUT, 1, b"hello");
        assert_eq!(out.len(), 16);
        assert_eq!(&out[..8], &[1, 6, 0, 1, 0, 5, 3, 0]);
        assert_eq!(&out[8..13], b"hello");
        assert_eq!(&out[13..], &[0, 0, 0]);
    }

    #[test]
    fn header_round_trips_and_rejects_other_versions() {
        let mut out = Vec::new();
        push(&mut out, kind::PARAMS, 0x1234, &[7; 9]);
        let header: [u8; 8] = out[..8].try_into().unwrap();
        assert_eq!(
            Header::decode(&header),
            Some(Header {
                kind: kind::PARAMS,
                request_id: 0x1234,
                content_len: 9,
                padding_len: 7
            })
        );
        let mut v2 = header;
        v2[0] = 2;
        assert_eq!(Header::decode(&v2), None);
    }

    #[test]
    fn long_streams_are_split_into_full_records() {
        let data = vec![b'x'; MAX_SEND_CONTENT * 2 + 3];
        let mut out = Vec::new();
        push_stream(&mut out, kind::STDOUT, 1, &data);
        let first: [u8; 8] = out[..8].try_into().unwrap();
        assert_eq!(
            Header::decode(&first).unwrap().content_len as usize,
            MAX_SEND_CONTENT
        );
        // Two full records without padding, one of 3 bytes padded to 8.
        assert_eq!(out.len(), 2 * (8 + MAX_SEND_CONTENT) + 8 + 8);
    }

    #[test]
    fn end_request_carries_both_statuses() {
        let mut out = Vec::new();
        push_end(&mut out, 9, 0x01020304, status::UNKNOWN_ROLE);
        assert_eq!(&out[8..16], &[1, 2, 3, 4, 3, 0, 0, 0]);
    }
}
