//! Canonical JSON (RFC 8785, JCS) for everything the core signs: result records,
//! attestations and, later, credentials (`eddsa-jcs-2022`). One encoding, so a signature made
//! on a phone verifies on the hub and in any verifier that speaks JCS.
//!
//! Our own writer rather than a general canonicalizer crate: a hub checks every record it
//! receives, and the crate we used first re-parsed every object key as JSON to sort it, which
//! made encoding cost as much as verifying the signature. This one goes through
//! `serde_json::Value` (no floats in our types, but the RFC's number rules are implemented
//! and tested against its vectors all the same).

use std::cmp::Ordering;

use serde::Serialize;
use serde_json::{Number, Value};
use sha2::{Digest, Sha256};

use crate::hash::ContentHash;

/// The RFC 8785 canonical bytes of `value`.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, &serde_json::to_value(value)?);
    Ok(out)
}

/// The bytes a key signs for `value`: a domain-separation context, then its canonical JSON.
/// The context keeps a signature over one kind of object from ever verifying as another.
pub fn signing_input<T: Serialize + ?Sized>(
    context: &[u8],
    value: &T,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = context.to_vec();
    write_value(&mut out, &serde_json::to_value(value)?);
    Ok(out)
}

/// SHA-256 of the canonical JSON of `value`.
pub fn canonical_hash<T: Serialize + ?Sized>(value: &T) -> Result<ContentHash, serde_json::Error> {
    Ok(ContentHash(
        Sha256::digest(to_canonical_json(value)?).into(),
    ))
}

/// Appends the canonical form of a JSON string (RFC 8785 3.2.2.2: only `"`, `\` and control
/// characters escaped, the short forms where JSON has them, else `\u00xx` in lower case).
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[start..]);
    out.push(b'"');
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Members sorted by their names as UTF-16 code units (RFC 8785 3.2.3).
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|(a, _), (b, _)| utf16_order(a, b));
            out.push(b'{');
            for (i, (name, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, name);
                out.push(b':');
                write_value(out, item);
            }
            out.push(b'}');
        }
    }
}

fn utf16_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Largest magnitude below which every integer is exactly a double.
const EXACT_INTEGERS: u64 = 1 << 53;

/// Numbers are IEEE 754 doubles in JCS: integers that a double holds exactly are written as
/// they are, everything else as ECMAScript writes the double.
fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(u) = n.as_u64().filter(|u| *u <= EXACT_INTEGERS) {
        out.extend_from_slice(u.to_string().as_bytes());
    } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT_INTEGERS) {
        out.extend_from_slice(i.to_string().as_bytes());
    } else if let Some(f) = n.as_f64() {
        write_double(out, f);
    }
}

/// The shortest digits that read back as `f` (positive, finite) and `n` with
/// `f = 0.DIGITS × 10^n`. Where two such digit strings are equally close to `f`, ECMAScript
/// takes the even one; Ryu does too (Rust's own formatting may take the other).
fn shortest_digits(f: f64) -> (String, i32) {
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(f);
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{whole}{fraction}");
    let significant = all.trim_start_matches('0');
    let leading_zeros = (all.len() - significant.len()) as i32;
    let digits = significant.trim_end_matches('0').to_owned();
    (digits, whole.len() as i32 + exponent - leading_zeros)
}

/// ECMAScript's Number::toString (ECMA-262, 6.1.6.1.20) for a finite double: the shortest
/// digits that read back as the same double, laid out by the size of the exponent.
fn write_double(out: &mut Vec<u8>, f: f64) {
    if f == 0.0 || !f.is_finite() {
        // -0 is written as 0; JSON cannot hold NaN or infinities (serde_json makes them null).
        out.push(b'0');
        return;
    }
    if f < 0.0 {
        out.push(b'-');
    }
    let (digits, n) = shortest_digits(f.abs());
    let k = digits.len() as i32;
    let zeros = |count: i32| "0".repeat(count.max(0) as usize);
    let text = if k <= n && n <= 21 {
        format!("{digits}{}", zeros(n - k))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", zeros(-n))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        format!("{first}{fraction}e{sign}{}", (n - 1).abs())
    };
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_8785_reference_vectors() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/jcs-rfc8785");
        for case in [
            "arrays",
            "french",
            "structures",
            "unicode",
            "values",
            "weird",
        ] {
            let input = std::fs::read(dir.join(format!("input/{case}.json"))).expect("input");
            let expected = std::fs::read(dir.join(format!("output/{case}.json"))).expect("output");
            let value: serde_json::Value = serde_json::from_slice(&input).expect("parses");
            let got = to_canonical_json(&value).expect("canonicalizes");
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "{case}"
            );
        }
    }

    #[test]
    fn numbers_are_written_as_ecmascript_writes_doubles() {
        for (input, expected) in [
            ("0", "0"),
            ("-0.0", "0"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("123e18", "123000000000000000000"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("-1.5e-7", "-1.5e-7"),
            ("9007199254740993", "9007199254740992"),
            ("-9007199254740992", "-9007199254740992"),
            ("18446744073709551615", "18446744073709552000"),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("333333333.33333329", "333333333.3333333"),
            ("4.50", "4.5"),
            // Two shortest forms, .2 and .3, are equally near 1907180335508939.25: the even.
            ("1907180335508939.2", "1907180335508939.2"),
            ("1907180335508939.3", "1907180335508939.2"),
        ] {
            let value: serde_json::Value = serde_json::from_str(input).expect("parses");
            let got = to_canonical_json(&value).expect("canonicalizes");
            assert_eq!(String::from_utf8_lossy(&got), expected, "{input}");
        }
    }

    #[test]
    fn strings_escape_only_what_rfc_8785_escapes() {
        let value =
            serde_json::json!({"\u{10000}": 1, "\u{e000}": 2, "a\"\\\u{1}\u{7f}\u{2028}é\n": 3});
        let got =
            String::from_utf8(to_canonical_json(&value).expect("canonicalizes")).expect("utf8");
        // U+10000 is a surrogate pair (D800 DC00) in UTF-16, so it sorts before U+E000.
        assert_eq!(
            got,
            "{\"a\\\"\\\\\\u0001\u{7f}\u{2028}é\\n\":3,\"\u{10000}\":1,\"\u{e000}\":2}"
        );
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(|i| serde_json::Value::from(i % (1 << 53))),
            any::<u32>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            "\\PC{0,12}".prop_map(serde_json::Value::from),
            "[\\x00-\\x20\"\\\\]{0,4}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("\\PC{0,6}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Differential check against an independent JCS implementation.
        #[test]
        fn agrees_with_an_independent_canonicalizer(value in json_value()) {
            let ours = to_canonical_json(&value).expect("ours");
            let theirs = serde_json_canonicalizer::to_vec(&value).expect("theirs");
            proptest::prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        }
    }
}
