//! JSON text written by hand into a byte buffer: strings escaped exactly as `serde_json`
//! escapes them, keys, separators. The decoders write answers straight into their output
//! with these, so no `Value` tree is built on the hot path; they stay byte for byte what
//! `serde_json` would write.

use serde_json::Value;

/// A JSON string, escaped exactly as `serde_json` escapes it.
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most strings need no escape at all: they are copied in one piece after a scan of
    // eight bytes at a time.
    let mut from = 0;
    let mut i = clean_prefix(bytes);
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x20 && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        out.extend_from_slice(&bytes[from..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        i += 1;
        from = i;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');

    /// The length of the leading whole 8-byte words of `bytes` that hold no byte JSON escapes
    /// (control characters, `"` and `\`).
    fn clean_prefix(bytes: &[u8]) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let mut at = 0;
        for chunk in bytes.chunks_exact(8) {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                break;
            };
            let w = u64::from_le_bytes(word);
            // The usual "has a byte less than n" word tests (exact as to whether there is one):
            // below 0x20, and zero after an xor with `"` or with `\`.
            let quote = w ^ (ONES * u64::from(b'"'));
            let backslash = w ^ (ONES * u64::from(b'\\'));
            let hit = ((w.wrapping_sub(ONES * 0x20) & !w)
                | (quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash))
                & HIGH;
            if hit != 0 {
                break;
            }
            at += 8;
        }
        at
    }
}

/// A value as JSON text (for the parts that go through a tree).
pub fn write_value(v: &Value, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail, and a Value always serialises.
    let _ = serde_json::to_writer(&mut *out, v);
}

pub(crate) fn write_key(key: &str, out: &mut Vec<u8>) {
    out.reserve(key.len() + 3);
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Writes `,` before every entry but the first.
pub(crate) fn sep(first: &mut bool, out: &mut Vec<u8>) {
    if !*first {
        out.push(b',');
    }
    *first = false;
}
