//! The one HTML policy for mail shown on our pages: ammonia's allow-list, without scripts, forms, styles, handlers or anything that loads from elsewhere.

/// `html` made safe to show inside our pages.
pub fn sanitize(html: &str) -> String {
    let _ = html;
    todo!()
}
