//! The stock reasons a moderator picks when rejecting a post (Sympa's reject templates):
//! each a short id for forms and mail commands and the text mailed to the sender.

/// One stock reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StockReason {
    /// Its id in forms.
    pub id: &'static str,
    /// The text the sender gets.
    pub text: &'static str,
}

/// The stock reasons, in the order forms offer them.
pub const STOCK: &[StockReason] = &[
    StockReason {
        id: "off_topic",
        text: "Your message is off-topic for this list.",
    },
    StockReason {
        id: "members_only",
        text: "Only members may post to this list. Please subscribe first, then send your message again.",
    },
    StockReason {
        id: "too_large",
        text: "Your message is too large for this list. Please send a link to large files instead of attaching them.",
    },
    StockReason {
        id: "duplicate",
        text: "Your message repeats one already sent to the list.",
    },
    StockReason {
        id: "wrong_address",
        text: "Your message looks like a command or a request for the list's owners. Write to the list's -request address instead.",
    },
];

/// The text of a moderator's choice: a stock reason by its id, else `free` (what they
/// wrote), else none.
pub fn resolve(stock: Option<&str>, free: Option<&str>) -> Option<String> {
    let free = free.map(str::trim).filter(|f| !f.is_empty());
    if let Some(free) = free {
        return Some(free.to_string());
    }
    stock
        .and_then(|id| STOCK.iter().find(|r| r.id == id))
        .map(|r| r.text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_wins_then_the_stock_reason_then_none() {
        assert_eq!(
            resolve(Some("off_topic"), Some("  Not here. ")).as_deref(),
            Some("Not here.")
        );
        assert_eq!(
            resolve(Some("off_topic"), Some("  ")),
            Some(STOCK[0].text.into())
        );
        assert_eq!(resolve(Some("nonsense"), None), None);
        assert_eq!(resolve(None, None), None);
        let ids: std::collections::BTreeSet<_> = STOCK.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), STOCK.len(), "ids are distinct");
    }
}
