//! What a command prints on stdout: an aligned table with a header row for a person, or one JSON document
//! (`--json`) for a program. A table's cells and a JSON document's fields come from the same rows.

use std::fmt::Write as _;
use std::io::Write as _;

use serde::Serialize;

use crate::exit::{Exit, Failure};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Aligned columns under a header row (the default).
    Table,
    /// One JSON document.
    Json,
}

impl Format {
    /// The format `--json` asks for.
    pub(crate) fn from_json_flag(json: bool) -> Self {
        if json { Format::Json } else { Format::Table }
    }
}

/// A row of a listing: its cells for the table, in the order of [`Row::HEADERS`]; serialised as is for JSON.
pub(crate) trait Row: Serialize {
    /// The table's header row.
    const HEADERS: &'static [&'static str];

    /// The cells of this row, one per header.
    fn cells(&self) -> Vec<String>;
}

/// Prints `rows` as a table or as a JSON array of objects.
///
/// # Errors
/// A [`Failure`] when stdout cannot be written (a closed pipe).
pub(crate) fn print_rows<R: Row>(format: Format, rows: &[R]) -> Result<(), Failure> {
    match format {
        Format::Json => print_json(rows),
        Format::Table => {
            let cells: Vec<Vec<String>> = rows.iter().map(Row::cells).collect();
            write_stdout(&table(R::HEADERS, &cells))
        }
    }
}

/// Prints `value` as one JSON document (pretty-printed, one trailing newline).
///
/// # Errors
/// A [`Failure`] when stdout cannot be written.
pub(crate) fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new("writing JSON", e, Exit::Failure))?;
    text.push('\n');
    write_stdout(&text)
}

/// Prints `text` as it is. A reader that stopped reading (`osirix studies | head -1`) is no failure.
///
/// # Errors
/// A [`Failure`] when stdout cannot be written for another reason.
pub(crate) fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::new("writing to stdout", e, Exit::Failure))
        }
        _ => Ok(()),
    }
}

/// `headers` and `rows` in columns as wide as their widest cell, two spaces apart, without trailing spaces.
/// Widths count characters, so names with accents stay aligned.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let _ = write!(line, "{cell:<width$}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `n` and `noun`, in the plural unless `n` is 1: `3 files`, `1 file`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An optional value in a table cell: `-` for none.
pub(crate) fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_under_their_headers() {
        let rows = vec![
            vec!["1".to_owned(), "Müller".to_owned(), "MR".to_owned()],
            vec!["22".to_owned(), "Li".to_owned(), String::new()],
        ];
        assert_eq!(
            table(&["UID", "PATIENT", "MOD"], &rows),
            "UID  PATIENT  MOD\n1    Müller   MR\n22   Li\n"
        );
    }

    #[test]
    fn an_empty_listing_is_its_header() {
        assert_eq!(table(&["A", "B"], &[]), "A  B\n");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(6, "file"), "6 files");
    }

    #[test]
    fn none_is_a_dash() {
        assert_eq!(or_dash(None::<u32>), "-");
        assert_eq!(or_dash(Some(3)), "3");
    }
}
