//! Input layout shared by the fuzz targets: UTF-8 text whose first line
//! configures the target and whose other lines are log lines, so that plain
//! log files (with a config line on top) are useful seeds.

/// First line and the log lines after it (`None`: not UTF-8).
pub fn split_input(data: &[u8]) -> Option<(&str, Vec<&str>, &str)> {
    let text = std::str::from_utf8(data).ok()?;
    let (head, body) = text.split_once('\n').unwrap_or((text, ""));
    Some((head, body.split_inclusive('\n').collect(), body))
}

/// Byte `i` of `data`, 0 past the end.
pub fn byte(data: &[u8], i: usize) -> u8 {
    data.get(i).copied().unwrap_or(0)
}
