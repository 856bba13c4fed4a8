//! What a simple type allows beyond its JSON kind: the range of a built-in integer type,
//! the lexical form of a date, duration or binary type, and the declared facets
//! (enumeration, pattern, length, range, digits).
//!
//! May import: `wsdl`, the sibling `decimal` and `lexical` modules and the error helper of
//! `translate::scalar`; nothing above.

use std::cmp::Ordering;

use super::decimal::{Decimal, cmp_decimal};
use super::{ScalarError, err, lexical};
use crate::wsdl::{Builtin, JsonKind, Schema, SimpleType, TypeId};

pub(super) fn check_integer_bounds(
    schema: &Schema,
    ty: TypeId,
    b: Builtin,
    d: &Decimal,
) -> Result<(), ScalarError> {
    let value = d.to_string();
    // Integers of up to 38 digits compare as i128; longer ones (xsd:integer) by digits.
    if d.int.len() <= 38
        && let Ok(v) = value.parse::<i128>()
    {
        return check_integer_value(schema, ty, b, v);
    }
    let (lo, hi) = b.integer_bounds();
    let order = |bound: i128| cmp_decimal(&value, &bound.to_string());
    if let Some(lo) = lo
        && order(lo) == Some(Ordering::Less)
    {
        return Err(err(
            schema,
            ty,
            format!("{value} is below the minimum {lo}"),
        ));
    }
    if let Some(hi) = hi
        && order(hi) == Some(Ordering::Greater)
    {
        return Err(err(
            schema,
            ty,
            format!("{value} is above the maximum {hi}"),
        ));
    }
    Ok(())
}

/// The bounds of `b` checked on a value held as an integer (an encoded JSON integer, or
/// decimal text of up to 38 digits).
pub(super) fn check_integer_value(
    schema: &Schema,
    ty: TypeId,
    b: Builtin,
    value: i128,
) -> Result<(), ScalarError> {
    let (lo, hi) = b.integer_bounds();
    if let Some(lo) = lo
        && value < lo
    {
        return Err(err(
            schema,
            ty,
            format!("{value} is below the minimum {lo}"),
        ));
    }
    if let Some(hi) = hi
        && value > hi
    {
        return Err(err(
            schema,
            ty,
            format!("{value} is above the maximum {hi}"),
        ));
    }
    Ok(())
}

pub(super) fn check_string_lexical(
    schema: &Schema,
    ty: TypeId,
    b: Builtin,
    s: &str,
) -> Result<(), ScalarError> {
    let ok = match b {
        Builtin::DateTime => lexical::date_time(s),
        Builtin::Date => lexical::date(s),
        Builtin::Time => lexical::time(s),
        Builtin::GYear => lexical::g_year(s),
        Builtin::GYearMonth => lexical::g_year_month(s),
        Builtin::GMonthDay => lexical::g_month_day(s),
        Builtin::GDay => lexical::g_day(s),
        Builtin::GMonth => lexical::g_month(s),
        Builtin::Duration => lexical::duration(s),
        Builtin::Base64Binary => lexical::base64(s),
        Builtin::HexBinary => lexical::hex(s),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(err(
            schema,
            ty,
            format!("`{s}` is not a valid {}", b.xsd_name()),
        ))
    }
}

/// A range facet, the orderings that violate it, and how to say so.
type Bound<'a> = (&'a Option<std::sync::Arc<str>>, &'a [Ordering], &'a str);

pub(super) fn check_facets(
    schema: &Schema,
    ty: TypeId,
    st: &SimpleType,
    text: &str,
    list_len: Option<usize>,
) -> Result<(), ScalarError> {
    let f = &st.facets;
    if f.is_empty() {
        return Ok(());
    }
    if !f.enumeration.is_empty() && !f.enumeration.iter().any(|e| &**e == text) {
        let allowed: Vec<&str> = f.enumeration.iter().take(20).map(|e| &**e).collect();
        let more = if f.enumeration.len() > 20 {
            format!(" (and {} more)", f.enumeration.len() - 20)
        } else {
            String::new()
        };
        return Err(err(
            schema,
            ty,
            format!(
                "`{text}` is not one of the allowed values: {}{more}",
                allowed.join(", ")
            ),
        ));
    }
    for p in &f.patterns {
        if let Some(re) = &p.regex
            && !re.is_match(text)
        {
            return Err(err(
                schema,
                ty,
                format!("`{text}` does not match the pattern `{}`", p.source),
            ));
        }
    }
    let binary = matches!(st.builtin, Builtin::Base64Binary | Builtin::HexBinary);
    let len = list_len.unwrap_or_else(|| text.chars().count());
    if !binary {
        let len = len as u64;
        if let Some(l) = f.length
            && len != l
        {
            return Err(err(schema, ty, format!("length {len} is not {l}")));
        }
        if let Some(l) = f.min_length
            && len < l
        {
            return Err(err(
                schema,
                ty,
                format!("length {len} is shorter than the minimum {l}"),
            ));
        }
        if let Some(l) = f.max_length
            && len > l
        {
            return Err(err(
                schema,
                ty,
                format!("length {len} is longer than the maximum {l}"),
            ));
        }
    }
    let numeric = matches!(st.builtin.json_kind(), JsonKind::Integer | JsonKind::Number);
    if numeric && list_len.is_none() {
        let bounds: [Bound<'_>; 4] = [
            (&f.min_inclusive, &[Ordering::Less], "below the minimum"),
            (&f.max_inclusive, &[Ordering::Greater], "above the maximum"),
            (
                &f.min_exclusive,
                &[Ordering::Less, Ordering::Equal],
                "not above",
            ),
            (
                &f.max_exclusive,
                &[Ordering::Greater, Ordering::Equal],
                "not below",
            ),
        ];
        for (bound, bad, what) in bounds {
            if let Some(bound) = bound
                && let Some(ord) = cmp_decimal(text, bound)
                && bad.contains(&ord)
            {
                return Err(err(schema, ty, format!("{text} is {what} {bound}")));
            }
        }
        if let Some(d) = Decimal::parse(text) {
            if let Some(total) = f.total_digits {
                let digits = d.int.trim_start_matches('0').len() + d.frac.len();
                if digits > total as usize {
                    return Err(err(
                        schema,
                        ty,
                        format!("{text} has more than {total} digits"),
                    ));
                }
            }
            if let Some(fd) = f.fraction_digits
                && d.frac.trim_end_matches('0').len() > fd as usize
            {
                return Err(err(
                    schema,
                    ty,
                    format!("{text} has more than {fd} fraction digits"),
                ));
            }
        }
    }
    Ok(())
}
