//! Reading and writing IPP attributes: every value of a named attribute as
//! strings or integers (one value or a set alike), and the keyword and named
//! attributes requests are built from, with the crate's refusals as
//! [`Problem::Refused`].

use ipp::prelude::*;

use super::problem::Problem;

pub(super) fn strings(group: &IppAttributeGroup, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for a in group
        .attributes()
        .iter()
        .filter(|a| a.name().as_str() == name)
    {
        match a.value() {
            IppValue::Array(v) => out.extend(v.iter().map(value_string)),
            v => out.push(value_string(v)),
        }
    }
    out
}

fn value_string(v: &IppValue) -> String {
    match v {
        IppValue::Keyword(k) | IppValue::MimeMediaType(k) => k.as_str().to_string(),
        other => other.to_string(),
    }
}

pub(super) fn integers(group: &IppAttributeGroup, name: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for a in group
        .attributes()
        .iter()
        .filter(|a| a.name().as_str() == name)
    {
        let mut push = |v: &IppValue| {
            if let IppValue::Integer(i) | IppValue::Enum(i) = v {
                out.push(*i);
            }
        };
        match a.value() {
            IppValue::Array(v) => v.iter().for_each(&mut push),
            v => push(v),
        }
    }
    out
}

pub(super) fn keyword(s: &str) -> Result<IppValue, Problem> {
    IppValue::new_keyword(s).map_err(|e| Problem::Refused(e.to_string()))
}

pub(super) fn named(name: &str, value: IppValue) -> Result<IppAttribute, Problem> {
    IppAttribute::with_name(name, value).map_err(|e| Problem::Refused(e.to_string()))
}
