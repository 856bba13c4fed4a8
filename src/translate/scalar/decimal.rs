//! Exact decimal arithmetic on digit strings: [`Decimal`] and [`cmp_decimal`].
//!
//! `xsd:decimal`, the integer types and the numeric facets compare through here, so no value
//! passes through `f64`.
//!
//! May import: `std`; nothing else.

use std::cmp::Ordering;

/// A decimal number as sign and digit strings, exponent applied. `int` has no leading zeros
/// (empty for zero), `frac` keeps trailing zeros as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    pub int: String,
    pub frac: String,
}

/// Exponents beyond this are refused rather than expanded into huge digit strings.
const MAX_EXPONENT: i64 = 400;

impl Decimal {
    /// Parses XSD decimal/integer/float lexical forms and JSON numbers (`-1.50`, `+7`, `.5`,
    /// `1e3`). Returns `None` for anything else, including infinities.
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (negative, rest) = match t.as_bytes().first()? {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => {
                let e: i64 = rest[i + 1..].parse().ok()?;
                if e.abs() > MAX_EXPONENT {
                    return None;
                }
                (&rest[..i], e)
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut digits = String::with_capacity(int.len() + frac.len());
        digits.push_str(int);
        digits.push_str(frac);
        let mut point = int.len() as i64 + exp;
        if point < 0 {
            digits.insert_str(0, &"0".repeat(point.unsigned_abs() as usize));
            point = 0;
        }
        let point = point as usize;
        if point > digits.len() {
            digits.push_str(&"0".repeat(point - digits.len()));
        }
        let (i, f) = digits.split_at(point);
        let int = i.trim_start_matches('0').to_owned();
        // With an exponent the fraction's trailing zeros carry no intent.
        let frac = if exp != 0 {
            f.trim_end_matches('0').to_owned()
        } else {
            f.to_owned()
        };
        let zero = int.is_empty() && frac.bytes().all(|c| c == b'0');
        Some(Decimal {
            negative: negative && !zero,
            int,
            frac,
        })
    }
}

/// Whether `text` is already the form [`Decimal::parse`] then `to_string` give it: an
/// optional `-`, digits without leading zeros (`0` alone allowed), then `.` and digits if
/// `fraction`, and not a negative zero. Such text is written as it is, unparsed.
pub fn is_canonical(text: &str, fraction: bool) -> bool {
    // One pass, byte by byte: values are a few characters long, and this runs for every
    // number of an answer.
    let b = text.as_bytes();
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let Some((&first, rest)) = b.split_first() else {
        return false;
    };
    if !first.is_ascii_digit() {
        return false;
    }
    // Whether a digit other than `0` was seen (for the negative zero).
    let mut nonzero = first != b'0';
    let mut i = 0;
    // The integer part: a leading `0` must stand alone.
    while let Some(&c) = rest.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        if first == b'0' {
            return false;
        }
        nonzero |= c != b'0';
        i += 1;
    }
    match rest.get(i) {
        None => {}
        Some(b'.') if fraction && i + 1 < rest.len() => {
            for &c in &rest[i + 1..] {
                if !c.is_ascii_digit() {
                    return false;
                }
                nonzero |= c != b'0';
            }
        }
        Some(_) => return false,
    }
    // Not a negative zero.
    !negative || nonzero
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

/// Compares two decimal texts exactly. `None` when either is not a number.
pub fn cmp_decimal(a: &str, b: &str) -> Option<Ordering> {
    let a = Decimal::parse(a)?;
    let b = Decimal::parse(b)?;
    let abs = |x: &Decimal, y: &Decimal| -> Ordering {
        x.int
            .len()
            .cmp(&y.int.len())
            .then_with(|| x.int.cmp(&y.int))
            .then_with(|| {
                let n = x.frac.len().max(y.frac.len());
                let xf = format!("{:0<n$}", x.frac);
                let yf = format!("{:0<n$}", y.frac);
                xf.cmp(&yf)
            })
    };
    Some(match (a.negative, b.negative) {
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
        (false, false) => abs(&a, &b),
        (true, true) => abs(&b, &a),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_text_is_what_parsing_gives() {
        for t in [
            "0", "7", "-7", "10.50", "0.5", "-0.5", "-0", "-0.00", "0.00", "007", "+7", ".5", "5.",
            "1e3", "-", "", "1.2.3", "12a", "-10", "100.0001",
        ] {
            let canonical = Decimal::parse(t).is_some_and(|d| d.to_string() == t);
            assert_eq!(is_canonical(t, true), canonical, "{t:?} as a decimal");
            let integer = canonical && !t.contains('.');
            assert_eq!(is_canonical(t, false), integer, "{t:?} as an integer");
        }
    }

    #[test]
    fn canonical_text_is_what_parsing_gives_for_every_short_text() {
        // Every text of up to five characters over the characters that matter.
        let alphabet = ['-', '+', '0', '1', '9', '.', 'e'];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, String::len))
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        assert!(texts.len() > 19_000, "{}", texts.len());
        for t in &texts {
            let canonical = Decimal::parse(t).is_some_and(|d| d.to_string() == *t);
            assert_eq!(is_canonical(t, true), canonical, "{t:?} as a decimal");
            let integer = canonical && !t.contains('.');
            assert_eq!(is_canonical(t, false), integer, "{t:?} as an integer");
        }
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(
            Decimal::parse("12345.6789").expect("d").to_string(),
            "12345.6789"
        );
        assert_eq!(Decimal::parse("+007").expect("d").to_string(), "7");
        assert_eq!(Decimal::parse(".5").expect("d").to_string(), "0.5");
        assert_eq!(Decimal::parse("1e3").expect("d").to_string(), "1000");
        assert_eq!(Decimal::parse("1.25e-3").expect("d").to_string(), "0.00125");
        assert_eq!(Decimal::parse("-0.00").expect("d").to_string(), "0.00");
        assert_eq!(Decimal::parse("10.50").expect("d").to_string(), "10.50");
        assert_eq!(
            Decimal::parse("123456789012345678901234567890.123456789")
                .expect("d")
                .to_string(),
            "123456789012345678901234567890.123456789"
        );
        assert!(Decimal::parse("1e999999").is_none());
        assert!(Decimal::parse("abc").is_none());
        assert!(Decimal::parse("1.2.3").is_none());
        assert!(Decimal::parse("").is_none());
    }

    #[test]
    fn decimal_comparison() {
        assert_eq!(cmp_decimal("10", "9.99"), Some(Ordering::Greater));
        assert_eq!(cmp_decimal("-10", "-9"), Some(Ordering::Less));
        assert_eq!(cmp_decimal("1.50", "1.5"), Some(Ordering::Equal));
        assert_eq!(
            cmp_decimal("9223372036854775808", "9223372036854775807"),
            Some(Ordering::Greater)
        );
    }
}
