//! Label and field selectors, with Kubernetes' syntax and matching rules.
//!
//! Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
//! `!a`, `a>1`, `a<1`; a comma means AND. `!=` and `notin` also match objects
//! without the label, as in Kubernetes. Field selectors support `=`, `==` and
//! `!=` on `metadata.name`, `metadata.namespace`, plus `type` for secrets and
//! `status.phase` for namespaces.

use serde_json::Value;

use super::meta;
use super::resource::{Flavor, ResourceType};

/// Why a selector was refused (answered with 400 BadRequest).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    #[error("unable to parse requirement: {0}")]
    Label(String),
    #[error("invalid field selector: {0}")]
    Field(String),
    #[error("field label not supported: {0}")]
    UnsupportedField(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Exists,
    NotExists,
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Gt(i64),
    Lt(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Comma,
    LParen,
    RParen,
    Eq,
    DoubleEq,
    NotEq,
    Not,
    Gt,
    Lt,
}

fn lex(s: &str) -> Result<Vec<Tok>, SelectorError> {
    let mut toks = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            ',' => {
                chars.next();
                toks.push(Tok::Comma);
            }
            '(' => {
                chars.next();
                toks.push(Tok::LParen);
            }
            ')' => {
                chars.next();
                toks.push(Tok::RParen);
            }
            '>' => {
                chars.next();
                toks.push(Tok::Gt);
            }
            '<' => {
                chars.next();
                toks.push(Tok::Lt);
            }
            '=' => {
                chars.next();
                if chars.peek() == Some(&'=') {
                    chars.next();
                    toks.push(Tok::DoubleEq);
                } else {
                    toks.push(Tok::Eq);
                }
            }
            '!' => {
                chars.next();
                if chars.peek() == Some(&'=') {
                    chars.next();
                    toks.push(Tok::NotEq);
                } else {
                    toks.push(Tok::Not);
                }
            }
            _ => {
                let mut id = String::new();
                while let Some(&c) = chars.peek() {
                    if " \t,()=!<>".contains(c) {
                        break;
                    }
                    id.push(c);
                    chars.next();
                }
                toks.push(Tok::Ident(id));
            }
        }
    }
    Ok(toks)
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let toks = lex(s)?;
        let err = |m: &str| SelectorError::Label(m.to_string());
        let mut reqs = Vec::new();
        let mut i = 0;
        if toks.is_empty() {
            return Ok(Self(reqs));
        }
        loop {
            let negated = toks.get(i) == Some(&Tok::Not);
            if negated {
                i += 1;
            }
            let key = match toks.get(i) {
                Some(Tok::Ident(k)) => k.clone(),
                _ => return Err(err("expected a label key")),
            };
            validate_key(&key).map_err(SelectorError::Label)?;
            i += 1;
            let op = if negated {
                Op::NotExists
            } else {
                match toks.get(i) {
                    None | Some(Tok::Comma) => Op::Exists,
                    Some(Tok::Eq | Tok::DoubleEq | Tok::NotEq) => {
                        let neg = toks.get(i) == Some(&Tok::NotEq);
                        i += 1;
                        let value = match toks.get(i) {
                            Some(Tok::Ident(v)) => {
                                i += 1;
                                v.clone()
                            }
                            None | Some(Tok::Comma) => String::new(),
                            _ => return Err(err("expected a label value")),
                        };
                        validate_value(&value).map_err(SelectorError::Label)?;
                        if neg {
                            Op::NotEquals(value)
                        } else {
                            Op::Equals(value)
                        }
                    }
                    Some(Tok::Gt | Tok::Lt) => {
                        let gt = toks.get(i) == Some(&Tok::Gt);
                        i += 1;
                        let n = match toks.get(i) {
                            Some(Tok::Ident(v)) => v.parse::<i64>().map_err(|_| {
                                err("for 'gt', 'lt' operators, the value must be an integer")
                            })?,
                            _ => return Err(err("expected an integer")),
                        };
                        i += 1;
                        if gt { Op::Gt(n) } else { Op::Lt(n) }
                    }
                    Some(Tok::Ident(word)) if word == "in" || word == "notin" => {
                        let is_in = word == "in";
                        i += 1;
                        if toks.get(i) != Some(&Tok::LParen) {
                            return Err(err("expected '(' after set operator"));
                        }
                        i += 1;
                        let mut values = Vec::new();
                        loop {
                            match toks.get(i) {
                                Some(Tok::Ident(v)) => {
                                    validate_value(v).map_err(SelectorError::Label)?;
                                    values.push(v.clone());
                                    i += 1;
                                }
                                Some(Tok::RParen) => {
                                    i += 1;
                                    break;
                                }
                                Some(Tok::Comma) => i += 1,
                                _ => return Err(err("expected ')' to close the value set")),
                            }
                        }
                        if values.is_empty() {
                            return Err(err(
                                "for 'in', 'notin' operators, values set can't be empty",
                            ));
                        }
                        if is_in {
                            Op::In(values)
                        } else {
                            Op::NotIn(values)
                        }
                    }
                    _ => return Err(err("found an unexpected token after the key")),
                }
            };
            reqs.push(Requirement { key, op });
            match toks.get(i) {
                None => break,
                Some(Tok::Comma) => {
                    i += 1;
                    if i >= toks.len() {
                        return Err(err("found ',', expected: identifier"));
                    }
                }
                _ => return Err(err("expected ',' between requirements")),
            }
        }
        Ok(Self(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|r| {
            let v = meta::label(obj, &r.key);
            match &r.op {
                Op::Exists => v.is_some(),
                Op::NotExists => v.is_none(),
                Op::Equals(x) => v == Some(x.as_str()),
                Op::NotEquals(x) => v != Some(x.as_str()),
                Op::In(xs) => v.is_some_and(|v| xs.iter().any(|x| x == v)),
                Op::NotIn(xs) => v.is_none_or(|v| xs.iter().all(|x| x != v)),
                Op::Gt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                Op::Lt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            }
        })
    }
}

fn validate_key(key: &str) -> Result<(), String> {
    super::validation::label_key_errors(key)
        .first()
        .map_or(Ok(()), |e| Err(format!("{key:?}: {e}")))
}

fn validate_value(v: &str) -> Result<(), String> {
    super::validation::label_value_errors(v)
        .first()
        .map_or(Ok(()), |e| Err(format!("{v:?}: {e}")))
}

/// A parsed field selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    pub fn parse(s: &str, rt: &ResourceType) -> Result<Self, SelectorError> {
        let mut terms = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, negated, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, false, v)
            } else {
                return Err(SelectorError::Field(format!(
                    "{part:?}: expected an operator ('=', '==' or '!=')"
                )));
            };
            let field = field.trim();
            let supported = matches!(field, "metadata.name" | "metadata.namespace")
                || (rt.flavor == Flavor::Secret && field == "type")
                || (matches!(rt.flavor, Flavor::Namespace | Flavor::Pod)
                    && field == "status.phase")
                || (rt.flavor == Flavor::Pod && field == "spec.nodeName");
            if !supported {
                return Err(SelectorError::UnsupportedField(field.to_string()));
            }
            terms.push((field.to_string(), negated, value.trim().to_string()));
        }
        Ok(Self(terms))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(field, negated, value)| {
            let actual = match field.as_str() {
                "metadata.name" => meta::name(obj),
                "metadata.namespace" => meta::namespace(obj),
                "type" => obj.get("type").and_then(Value::as_str).unwrap_or(""),
                "status.phase" => obj
                    .get("status")
                    .and_then(|s| s.get("phase"))
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                "spec.nodeName" => obj
                    .pointer("/spec/nodeName")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                _ => "",
            };
            (actual == value) != *negated
        })
    }
}

/// Label and field selector together.
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Selectors {
    pub fn parse(
        label: Option<&str>,
        field: Option<&str>,
        rt: &ResourceType,
    ) -> Result<Self, SelectorError> {
        Ok(Self {
            labels: LabelSelector::parse(label.unwrap_or(""))?,
            fields: FieldSelector::parse(field.unwrap_or(""), rt)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.labels.matches(obj) && self.fields.matches(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_labels(l: Value) -> Value {
        json!({"metadata": {"name": "n", "namespace": "ns", "labels": l}})
    }

    fn m(sel: &str, obj: &Value) -> bool {
        match LabelSelector::parse(sel) {
            Ok(s) => s.matches(obj),
            Err(e) => panic!("{sel}: {e}"),
        }
    }

    #[test]
    fn label_operators() {
        let o = with_labels(json!({"a": "b", "tier": "web", "n": "5"}));
        assert!(m("", &o));
        assert!(m("a=b", &o));
        assert!(m("a==b", &o));
        assert!(!m("a!=b", &o));
        assert!(m("x!=b", &o), "!= matches a missing label");
        assert!(m("tier in (web, db)", &o));
        assert!(!m("tier notin (web)", &o));
        assert!(m("x notin (web)", &o));
        assert!(m("a", &o));
        assert!(!m("!a", &o));
        assert!(m("!x", &o));
        assert!(m("a=b,tier in (web),!x", &o));
        assert!(!m("a=b,tier=db", &o));
        assert!(m("n>4,n<6", &o));
        assert!(m("example.com/x notin (a)", &o));
    }

    #[test]
    fn label_syntax_errors() {
        for bad in ["a in (", "a in ()", "a=b,", "=b", "a b", "a=(b)", "a in x"] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn field_selectors() -> Result<(), SelectorError> {
        let rt = super::super::resource::core("secrets").ok_or(SelectorError::Field("".into()))?;
        let o = json!({"metadata": {"name": "a", "namespace": "ns"}, "type": "Opaque"});
        assert!(FieldSelector::parse("metadata.name=a", &rt)?.matches(&o));
        assert!(FieldSelector::parse("metadata.name==a,metadata.namespace=ns", &rt)?.matches(&o));
        assert!(!FieldSelector::parse("metadata.name!=a", &rt)?.matches(&o));
        assert!(FieldSelector::parse("type=Opaque", &rt)?.matches(&o));
        assert!(FieldSelector::parse("spec.x=1", &rt).is_err());
        Ok(())
    }
}
