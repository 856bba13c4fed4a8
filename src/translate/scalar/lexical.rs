//! Lexical checks of the XSD date, time, duration and binary types.
//!
//! Each check answers whether a string is in the type's lexical space; byte offsets are
//! guarded so no input can panic.
//!
//! May import: `std`; nothing else.

fn digits(s: &str, n: usize) -> Option<u32> {
    if s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Strips an optional timezone (`Z`, `+hh:mm`, `-hh:mm`); `None` if it is malformed.
fn strip_tz(s: &str) -> Option<&str> {
    if let Some(rest) = s.strip_suffix('Z') {
        return Some(rest);
    }
    if s.len() >= 6 {
        let (head, tz) = s.split_at(s.len() - 6);
        let b = tz.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
            let h = digits(&tz[1..3], 2)?;
            let m = digits(&tz[4..6], 2)?;
            return (h < 14 || (h == 14 && m == 0))
                .then_some(head)
                .filter(|_| m < 60);
        }
    }
    Some(s)
}

fn year(s: &str) -> Option<i64> {
    let (neg, y) = match s.strip_prefix('-') {
        Some(y) => (true, y),
        None => (false, s),
    };
    if y.len() < 4 || !y.bytes().all(|b| b.is_ascii_digit()) || (y.len() > 4 && y.starts_with('0'))
    {
        return None;
    }
    let v: i64 = y.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Days in `month` of `year` (29 for February when the year is not known).
pub fn days_in(month: u32, year: Option<i64>) -> u32 {
    match month {
        2 => match year {
            Some(y) if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            Some(_) => 28,
            None => 29,
        },
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn ymd(s: &str) -> bool {
    // -?YYYY-MM-DD, the year may have more digits.
    let Some(cut) = s.len().checked_sub(6) else {
        return false;
    };
    if !s.is_char_boundary(cut) {
        return false;
    }
    let (y, md) = s.split_at(cut);
    let Some(y) = year(y) else { return false };
    let b = md.as_bytes();
    if b[0] != b'-' || b[3] != b'-' {
        return false;
    }
    match (digits(&md[1..3], 2), digits(&md[4..6], 2)) {
        (Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in(m, Some(y)),
        _ => false,
    }
}

fn hms(s: &str) -> bool {
    if s.len() < 8 {
        return false;
    }
    let (head, frac) = s.split_at(8);
    let b = head.as_bytes();
    if b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (
        digits(&head[0..2], 2),
        digits(&head[3..5], 2),
        digits(&head[6..8], 2),
    ) else {
        return false;
    };
    if !frac.is_empty() {
        let Some(f) = frac.strip_prefix('.') else {
            return false;
        };
        if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0)
}

pub fn date_time(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let Some(s) = strip_tz(s) else { return false };
    match s.split_once('T') {
        Some((d, t)) => ymd(d) && hms(t),
        None => false,
    }
}

pub fn date(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    strip_tz(s).is_some_and(ymd)
}

pub fn time(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    strip_tz(s).is_some_and(hms)
}

pub fn g_year(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    strip_tz(s).and_then(year).is_some()
}

pub fn g_year_month(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let Some(s) = strip_tz(s) else { return false };
    let Some(cut) = s.len().checked_sub(3) else {
        return false;
    };
    let (y, m) = s.split_at(cut);
    year(y).is_some()
        && m.starts_with('-')
        && digits(&m[1..], 2).is_some_and(|m| (1..=12).contains(&m))
}

pub fn g_month_day(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let Some(s) = strip_tz(s) else { return false };
    let b = s.as_bytes();
    if s.len() != 7 || !s.starts_with("--") || b[4] != b'-' {
        return false;
    }
    match (digits(&s[2..4], 2), digits(&s[5..7], 2)) {
        (Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in(m, None),
        _ => false,
    }
}

pub fn g_day(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    strip_tz(s).is_some_and(|s| {
        s.len() == 5
            && s.starts_with("---")
            && digits(&s[3..], 2).is_some_and(|d| (1..=31).contains(&d))
    })
}

pub fn g_month(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    strip_tz(s).is_some_and(|s| {
        s.len() == 4
            && s.starts_with("--")
            && digits(&s[2..], 2).is_some_and(|m| (1..=12).contains(&m))
    })
}

pub fn duration(s: &str) -> bool {
    if !s.is_ascii() {
        return false;
    }
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return false;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut any = false;
    let parse = |part: &str, units: &[u8], seconds: bool, any: &mut bool| -> bool {
        let mut num = String::new();
        let mut last = 0usize;
        for c in part.chars() {
            if c.is_ascii_digit() || (seconds && c == '.') {
                num.push(c);
                continue;
            }
            let Some(pos) = units.iter().position(|u| *u as char == c) else {
                return false;
            };
            if num.is_empty() || pos < last || (num.contains('.') && c != 'S') {
                return false;
            }
            last = pos + 1;
            num.clear();
            *any = true;
        }
        num.is_empty()
    };
    if !parse(date, b"YMD", false, &mut any) {
        return false;
    }
    if let Some(t) = time
        && !parse(t, b"HMS", true, &mut any)
    {
        return false;
    }
    any
}

pub fn base64(s: &str) -> bool {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return false;
    }
    let pad = clean.iter().rev().take_while(|b| **b == b'=').count();
    pad <= 2
        && clean[..clean.len() - pad]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

pub fn hex(s: &str) -> bool {
    s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use crate::translate::scalar::lexical;

    #[test]
    fn dates_and_times() {
        assert!(lexical::date_time("2024-01-15T10:30:00Z"));
        assert!(lexical::date_time("2024-05-06T07:08:09.123+02:00"));
        assert!(lexical::date_time("2024-02-29T00:00:00"));
        assert!(!lexical::date_time("2023-02-29T00:00:00"));
        assert!(!lexical::date_time("2024-13-01T00:00:00Z"));
        assert!(!lexical::date_time("2024-01-15 10:30:00"));
        assert!(!lexical::date_time("yesterday"));
        assert!(lexical::date("2024-01-15"));
        assert!(lexical::date("2024-01-15Z"));
        assert!(!lexical::date("2024-1-15"));
        assert!(lexical::time("23:59:59.5"));
        assert!(!lexical::time("25:00:00"));
        assert!(lexical::g_year("2024"));
        assert!(lexical::g_year_month("2024-12"));
        assert!(lexical::g_month_day("--02-29"));
        assert!(lexical::g_day("---31"));
        assert!(lexical::g_month("--12"));
        assert!(lexical::duration("P1Y2M3DT4H5M6.7S"));
        assert!(lexical::duration("-PT5M"));
        assert!(!lexical::duration("P"));
        assert!(!lexical::duration("PT"));
        assert!(!lexical::duration("P1S"));
        assert!(lexical::base64("SGVsbG8="));
        assert!(!lexical::base64("SGVsbG8"));
        assert!(lexical::hex("0aFF"));
        // Byte offsets used to land inside multi-byte characters: no panic, just `false`.
        for tricky in [
            "10:30:0€",
            "2024-01-01T10:00:00€€",
            "--€-1",
            "2024-€",
            "€",
            "P1€D",
            "---€",
            "--€",
        ] {
            let checks: [fn(&str) -> bool; 9] = [
                lexical::date_time,
                lexical::date,
                lexical::time,
                lexical::g_year,
                lexical::g_year_month,
                lexical::g_month_day,
                lexical::g_day,
                lexical::g_month,
                lexical::duration,
            ];
            for check in checks {
                assert!(!check(tricky), "{tricky}");
            }
        }
        assert!(!lexical::hex("0aF"));
    }
}
