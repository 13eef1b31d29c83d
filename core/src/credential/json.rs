//! Reading a credential's JSON from outside (a file, a QR code, the app): bounded in size, and
//! with a key written twice in one object refused. serde_json keeps the last of two equal
//! keys; another verifier may keep the first, so one credential could say two things to two
//! readers. Refusing it here means every Skillpack reader sees exactly what was signed.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::rdfc::MAX_DOCUMENT_LEN;
use super::CredentialError;

/// A credential's JSON, at most [`MAX_DOCUMENT_LEN`] bytes, with no key twice in an object.
pub fn parse(bytes: &[u8]) -> Result<Value, CredentialError> {
    if bytes.len() > MAX_DOCUMENT_LEN {
        return Err(CredentialError::TooLarge {
            what: "the credential",
            value: bytes.len(),
            limit: MAX_DOCUMENT_LEN,
        });
    }
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = Strict
        .deserialize(&mut reader)
        .map_err(|e| CredentialError::Malformed(e.to_string()))?;
    reader
        .end()
        .map_err(|e| CredentialError::Malformed(e.to_string()))?;
    Ok(value)
}

/// Builds a [`Value`] as serde_json does, refusing duplicate keys.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "the key {key:?} is written twice in one object"
                )));
            }
            let value = map.next_value_seed(Strict)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_parses_as_serde_json_does_but_a_key_written_twice_is_refused() {
        let text = br#"{"a": [1, -2, 2.5, "x", null, true, {"b": {}}], "c": "d"}"#;
        assert_eq!(
            parse(text).expect("parses"),
            serde_json::from_slice::<Value>(text).expect("parses")
        );
        for twice in [
            &br#"{"a": 1, "a": 2}"#[..],
            br#"{"x": {"id": "one", "id": "two"}}"#,
            br#"[{"type": "A", "b": 1, "type": "B"}]"#,
        ] {
            let refused = parse(twice).expect_err("refused");
            assert!(refused.to_string().contains("twice"), "{refused}");
        }
        assert!(parse(br#"{"a": 1} trailing"#).is_err());
        assert!(matches!(
            parse(&vec![b' '; MAX_DOCUMENT_LEN + 1]),
            Err(CredentialError::TooLarge { .. })
        ));
    }
}
