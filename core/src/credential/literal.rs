//! Native JSON values (booleans and numbers) turned into RDF literals as the JSON-LD 1.1
//! API's "Object to RDF Conversion" says (§8.6), before an expanded document becomes the
//! N-Quads a proof signs. The json-ld crate (0.21.4) takes two shortcuts there: a boolean
//! always gets `xsd:boolean` (Open Badges 3.0 types `hashed` with
//! `https://www.w3.org/2001/XMLSchema#boolean`, an IRI of its own, which jsonld.js keeps), and
//! a typed number is written as the XSD type reads it or as its JSON text (`0.5`), where the
//! API writes the canonical double form (`5.0E-1`) for any number with a fraction. Other
//! verifiers follow the API, so a credential with a learner's name or half an ECTS credit
//! verified only here. Giving the crate strings with their datatypes settles both, in the
//! words jsonld.js writes (`examples/*.nq` are its output).

use ssi_json_ld::json_ld::object::{Literal, Value};
use ssi_json_ld::json_ld::{BlankIdBuf, ExpandedDocument, IriBuf, Object};

/// An object of an expanded document, with its index.
type IndexedObject = ssi_json_ld::json_ld::IndexedObject<IriBuf, BlankIdBuf>;

/// `xsd:boolean`, `xsd:integer` and `xsd:double`, as the API names them.
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// A number at or above this is written in the double form even when it is whole (§8.6).
const DOUBLE_FROM: f64 = 1e21;

/// `document` with every native boolean and number replaced by its RDF lexical form and
/// datatype.
pub(super) fn with_rdf_literals(document: ExpandedDocument) -> ExpandedDocument {
    document.into_iter().map(object).collect()
}

/// One object, and every object inside it.
fn object(mut indexed: IndexedObject) -> IndexedObject {
    match indexed.inner_mut() {
        Object::Value(value) => literal(value),
        Object::List(list) => list.iter_mut().for_each(in_place),
        Object::Node(node) => {
            for (_, objects) in node.properties_mut().iter_mut() {
                objects.iter_mut().for_each(in_place);
            }
            if let Some(graph) = node.graph_mut() {
                let objects = std::mem::take(graph);
                *graph = objects.into_iter().map(object).collect();
            }
        }
    }
    indexed
}

/// [`object`] for an object held in place (in a property's values or a list).
fn in_place(indexed: &mut IndexedObject) {
    let taken = std::mem::replace(indexed, IndexedObject::new(Object::null(), None));
    *indexed = object(taken);
}

/// A value object's native boolean or number as a string with its datatype.
fn literal(value: &mut Value<IriBuf>) {
    let Value::Literal(native, datatype) = value else {
        return;
    };
    let (text, default_type) = match native {
        Literal::Boolean(b) => (b.to_string(), XSD_BOOLEAN),
        Literal::Number(n) => {
            let double_type = datatype.as_ref().is_some_and(|t| t.as_str() == XSD_DOUBLE);
            let f = n.as_f64_lossy();
            if double_type || f.fract() != 0.0 || f.abs() >= DOUBLE_FROM {
                (double_form(f), XSD_DOUBLE)
            } else {
                (integer_form(n.as_str(), f), XSD_INTEGER)
            }
        }
        Literal::Null | Literal::String(_) => return,
    };
    let datatype = match datatype.take() {
        Some(t) => t,
        None => match IriBuf::new(default_type.to_owned()) {
            Ok(t) => t,
            Err(_) => return,
        },
    };
    *value = Value::Literal(Literal::String(text.as_str().into()), Some(datatype));
}

/// The canonical lexical form of an `xsd:double` as JSON-LD processors write it: one digit
/// before the point, at least one after it, no trailing zeros, and the exponent after `E`
/// (`0.5` is `5.0E-1`, `12.5` is `1.25E1`).
pub(super) fn double_form(f: f64) -> String {
    let scientific = format!("{f:.15e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.is_empty() { "0" } else { fraction };
    format!("{whole}.{fraction}E{exponent}")
}

/// A whole number's lexical form: its digits, without a fraction or an exponent.
fn integer_form(json: &str, f: f64) -> String {
    if json.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        json.to_owned()
    } else {
        format!("{f:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::double_form;

    #[test]
    fn doubles_read_as_json_ld_processors_write_them() {
        for (f, text) in [
            (0.5, "5.0E-1"),
            (12.5, "1.25E1"),
            (1.0, "1.0E0"),
            (-0.25, "-2.5E-1"),
            (1e21, "1.0E21"),
            (0.1, "1.0E-1"),
            (7.125, "7.125E0"),
        ] {
            assert_eq!(double_form(f), text, "{f}");
        }
    }
}
