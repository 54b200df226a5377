//! Durations on the command line: a number of seconds, as `--timeout` takes them.

use std::time::Duration;

/// A number of seconds (a decimal fraction allowed), positive and finite.
///
/// # Errors
/// A message for clap when `text` is no such number.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(format!("{text:?}: the number of seconds must be positive"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse_as_positive_durations() {
        assert_eq!(parse("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse("0").is_err());
        assert!(parse("-1").is_err());
        assert!(parse("inf").is_err());
        assert!(parse("soon").is_err());
    }
}
