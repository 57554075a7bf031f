//! Small text helpers for human output: dates, message bodies, shell quoting.

/// `YYYY-MM-DD HH:MM:SS` (UTC) for Unix seconds; the days-to-civil
/// conversion of the proleptic Gregorian calendar, so no date crate is needed.
pub fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    // Shift to an era-based calendar starting on 0000-03-01, where leap days
    // fall at the end of each year.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A body for a terminal: its text with control characters escaped, or a
/// size for bytes that are not UTF-8.
pub fn body(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.escape_debug().to_string(),
        Err(_) => format!("<{} bytes, not text>", bytes.len()),
    }
}

/// A body for JSON: `(body, body_hex)`, exactly one of them set: the text
/// when it is UTF-8, else the bytes in hex (docs/cli.md).
pub fn json_body(bytes: &[u8]) -> (Option<String>, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Some(text.to_string()), None),
        Err(_) => (None, Some(hex::encode(bytes))),
    }
}

/// Quotes an argument as a POSIX shell would need it.
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// "1 message", "2 messages".
pub fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// "2 messages, 1 ack" from counts, leaving out the zeros; `empty` if all are.
pub fn counts(items: &[(u64, &str)], empty: &str) -> String {
    let parts: Vec<String> = items
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| count(*n, what))
        .collect();
    if parts.is_empty() {
        empty.to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(utc(-1), "1969-12-31 23:59:59");
    }

    #[test]
    fn bodies_are_escaped() {
        assert_eq!(body(b"hi\nthere"), "hi\\nthere");
        assert_eq!(body(&[0xff, 0]), "<2 bytes, not text>");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("chat"), "chat");
        assert_eq!(shell_quote("hello bob"), "'hello bob'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn count_lists() {
        assert_eq!(
            counts(&[(2, "message"), (0, "offer"), (1, "ack")], "-"),
            "2 messages, 1 ack"
        );
        assert_eq!(counts(&[(0, "message")], "nothing"), "nothing");
    }
}
