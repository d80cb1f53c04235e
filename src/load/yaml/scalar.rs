//! Plain-scalar resolution with the YAML 1.1 rules CloudFormation templates are read with.
//!
//! The choices (documented for users in the parent module):
//! - null: empty, `~`, `null`, `Null`, `NULL`;
//! - booleans: `true`/`false`, `yes`/`no`, `on`/`off` in lower, Title and UPPER case (`y`/`n`
//!   stay strings, as in PyYAML);
//! - integers (stored as canonical decimal text): decimal `[-+]?(0|[1-9][0-9_]*)`, YAML 1.1 octal
//!   `[-+]?0[0-7_]+`, hex `0x…`, binary `0b…`; `_` separators are dropped. A value too large for
//!   128 bits keeps its source text;
//! - floats (source text kept): `1.5`, `.5`, `1.`, `1e3`, `1.5E-3`, `.inf`, `-.Inf`, `.nan`;
//! - everything else is a string, including `0o17` (YAML 1.2 octal, which YAML 1.1 resolvers do
//!   not know), `09`, timestamps (`2010-09-09`) and sexagesimal `1:30` (see the parent module).

use crate::tree::Value;

/// The value of an untagged plain scalar.
pub(super) fn resolve_plain(text: &str) -> Value {
    if !may_be_typed(text) {
        return Value::String(text.to_owned());
    }
    resolve_typed(text)
}

/// Whether `text` begins as a null, a boolean or a number can: most plain scalars of a
/// template (names, types, ARNs) are told to be strings by their first byte.
fn may_be_typed(text: &str) -> bool {
    text.as_bytes().first().is_none_or(|b| {
        matches!(
            b,
            b'~' | b'n'
                | b'N'
                | b't'
                | b'T'
                | b'y'
                | b'Y'
                | b'o'
                | b'O'
                | b'f'
                | b'F'
                | b'+'
                | b'-'
                | b'.'
                | b'0'..=b'9'
        )
    })
}

/// [`resolve_plain`] without the first-byte shortcut.
fn resolve_typed(text: &str) -> Value {
    if is_null(text) {
        return Value::Null;
    }
    if let Some(b) = bool_value(text) {
        return Value::Bool(b);
    }
    if let Some(n) = int_value(text) {
        return Value::Number(n);
    }
    if is_float(text) {
        return Value::Number(text.to_owned());
    }
    Value::String(text.to_owned())
}

pub(super) fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

pub(super) fn bool_value(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Canonical decimal text of a YAML 1.1 integer, or `None` when `text` is not one.
pub(super) fn int_value(text: &str) -> Option<String> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(hex) = body.strip_prefix("0x") {
        (16, hex)
    } else if let Some(bin) = body.strip_prefix("0b") {
        (2, bin)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, body)
    } else if body.starts_with(|c: char| c.is_ascii_digit()) {
        (10, body)
    } else {
        return None;
    };
    if !digits
        .bytes()
        .all(|b| b == b'_' || char::from(b).is_digit(radix))
    {
        return None;
    }
    if !digits.bytes().any(|b| b != b'_') {
        return None;
    }
    if radix == 10 {
        // Decimal needs no arithmetic, so any length is fine.
        let plain: String = digits.chars().filter(|&c| c != '_').collect();
        let trimmed = plain.trim_start_matches('0');
        return Some(match (trimmed.is_empty(), negative) {
            (true, _) => "0".to_owned(),
            (false, true) => format!("-{trimmed}"),
            (false, false) => trimmed.to_owned(),
        });
    }
    let mut value: u128 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let digit = u128::from(c.to_digit(radix)?);
        let next = value
            .checked_mul(u128::from(radix))
            .and_then(|v| v.checked_add(digit));
        match next {
            Some(v) => value = v,
            None => return Some(text.to_owned()),
        }
    }
    Some(if negative && value != 0 {
        format!("-{value}")
    } else {
        value.to_string()
    })
}

/// `[-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?` with a dot or an exponent,
/// or one of the YAML 1.1 infinity and not-a-number spellings.
pub(super) fn is_float(text: &str) -> bool {
    let unsigned = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('+'))
        .unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (
            unsigned.get(..at).unwrap_or(""),
            Some(unsigned.get(at + 1..).unwrap_or("")),
        ),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits_or_underscores = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mantissa_ok = match frac_part {
        None => {
            int_part.starts_with(|c: char| c.is_ascii_digit()) && digits_or_underscores(int_part)
        }
        Some(frac) if int_part.is_empty() => {
            frac.starts_with(|c: char| c.is_ascii_digit()) && digits_or_underscores(frac)
        }
        Some(frac) => {
            int_part.starts_with(|c: char| c.is_ascii_digit())
                && digits_or_underscores(int_part)
                && digits_or_underscores(frac)
        }
    };
    let exponent_ok = match exponent {
        None => frac_part.is_some(),
        Some(exp) => {
            let digits = exp
                .strip_prefix('-')
                .or_else(|| exp.strip_prefix('+'))
                .unwrap_or(exp);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Value {
        Value::Number(s.to_owned())
    }

    fn string(s: &str) -> Value {
        Value::String(s.to_owned())
    }

    #[test]
    fn yaml_1_1_table() {
        let table = [
            ("", Value::Null),
            ("~", Value::Null),
            ("null", Value::Null),
            ("NULL", Value::Null),
            ("nULL", string("nULL")),
            ("yes", Value::Bool(true)),
            ("Yes", Value::Bool(true)),
            ("ON", Value::Bool(true)),
            ("off", Value::Bool(false)),
            ("No", Value::Bool(false)),
            ("FALSE", Value::Bool(false)),
            ("y", string("y")),
            ("n", string("n")),
            ("yEs", string("yEs")),
            ("0", num("0")),
            ("-0", num("0")),
            ("+12", num("12")),
            ("-12", num("-12")),
            ("1_000", num("1000")),
            ("0755", num("493")),
            ("-017", num("-15")),
            ("00", num("0")),
            ("08", string("08")),
            ("09", string("09")),
            ("0o17", string("0o17")),
            ("0x1F", num("31")),
            ("-0x_1f", num("-31")),
            ("0x", string("0x")),
            ("0xG", string("0xG")),
            ("0b1010", num("10")),
            ("0b12", string("0b12")),
            ("1.5", num("1.5")),
            (".5", num(".5")),
            ("1.", num("1.")),
            ("1e3", num("1e3")),
            ("1.5E-3", num("1.5E-3")),
            ("-2.5e+10", num("-2.5e+10")),
            ("1e", string("1e")),
            ("e3", string("e3")),
            (".", string(".")),
            ("1.2.3", string("1.2.3")),
            (".inf", num(".inf")),
            ("-.Inf", num("-.Inf")),
            (".NaN", num(".NaN")),
            ("-.nan", string("-.nan")),
            ("1:30", string("1:30")),
            ("12:30:00", string("12:30:00")),
            ("2010-09-09", string("2010-09-09")),
            ("ami-0abc", string("ami-0abc")),
            ("-", string("-")),
            ("+", string("+")),
            ("é", string("é")),
        ];
        for (text, want) in table {
            assert_eq!(resolve_plain(text), want, "{text:?}");
        }
    }

    proptest::proptest! {
        /// The first-byte shortcut only ever answers "a string", and only where the full
        /// resolution does too.
        #[test]
        fn the_first_byte_shortcut_changes_nothing(
            text in "[~nNtTyYoOfFeEaA+\\-._:0-9xXbB é]{0,8}",
        ) {
            proptest::prop_assert_eq!(resolve_plain(&text), resolve_typed(&text));
        }
    }

    #[test]
    fn every_typed_scalar_of_the_table_begins_as_one_can() {
        for text in [
            "", "~", "null", "Null", "true", "True", "yes", "Yes", "on", "On", "ON", "false",
            "FALSE", "no", "NO", "off", "Off", "+1", "-1", "0", "9", ".5", ".inf", ".NaN", "-.Inf",
        ] {
            assert!(may_be_typed(text), "{text:?}");
            assert_ne!(resolve_typed(text), string(text), "{text:?}");
        }
    }

    #[test]
    fn huge_numbers_keep_their_text() {
        let decimal = "9".repeat(10_000);
        assert_eq!(resolve_plain(&decimal), num(&decimal));
        let octal = format!("0{}", "7".repeat(10_000));
        assert_eq!(resolve_plain(&octal), num(&octal));
        let hex = format!("0x{}", "f".repeat(10_000));
        assert_eq!(resolve_plain(&hex), num(&hex));
        let float = format!("{}.5e{}", "1".repeat(10_000), "9".repeat(10_000));
        assert_eq!(resolve_plain(&float), num(&float));
    }

    #[test]
    fn u128_boundary() {
        let max = format!("0x{}", "f".repeat(32));
        assert_eq!(resolve_plain(&max), num(&u128::MAX.to_string()));
        let over = format!("0x1{}", "0".repeat(32));
        assert_eq!(resolve_plain(&over), num(&over));
    }
}
