//! Log format headers (LogPAI style). PLACEHOLDER: to be implemented.

use crate::error::{CoreError, CoreResult};

#[derive(Debug, Clone)]
pub struct HeaderParser {
    fields: Vec<String>,
}

impl HeaderParser {
    pub fn new(format: &str) -> CoreResult<Self> {
        if !format.contains("<Content>") {
            return Err(CoreError::BadFormat {
                format: format.to_owned(),
                reason: "no <Content> field".to_owned(),
            });
        }
        Ok(Self {
            fields: vec!["Content".to_owned()],
        })
    }

    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// Field values in `fields()` order, or `None` when the line does not match.
    pub fn parse<'a>(&self, line: &'a str) -> Option<Vec<&'a str>> {
        Some(vec![line.trim()])
    }
}
