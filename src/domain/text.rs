//! Characters that hide or reorder text: what names may not contain and what pages neutralise.
//!
//! A display name or subject is shown next to addresses and other people's names, so a
//! character that is invisible (zero-width space, word joiner, BOM, soft hyphen, tag
//! characters) or that reorders what follows (bidirectional embeddings, overrides and
//! isolates, such as U+202E RIGHT-TO-LEFT OVERRIDE) lets one name pass for another. Typed
//! text is refused when it holds one ([`hidden_char`]); text stored before (imports, the
//! shell, old data) is shown with each replaced by U+FFFD ([`NEUTRAL`]).
//!
//! Left alone on purpose: ZWNJ and ZWJ (U+200C, U+200D; needed by Persian, Indic scripts
//! and emoji sequences) and the LRM/RLM/ALM marks (they do not reorder beyond the isolated
//! run pages put names in). Mixed-script look-alikes (a Cyrillic "а" in a Latin name) are
//! not detected: that needs Unicode's confusables tables.

/// What a hidden character is shown as.
pub const NEUTRAL: char = '\u{FFFD}';

/// Returns true if and only if `c` is a control character other than tab, line feed and
/// carriage return, or an invisible or reordering formatting character.
pub fn hidden_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        c if c.is_control() => true,
        '\u{00AD}'                       // soft hyphen
        | '\u{034F}'                     // combining grapheme joiner
        | '\u{061C}'                     // Arabic letter mark (an embedding control)
        | '\u{115F}' | '\u{1160}'        // Hangul fillers, shown blank
        | '\u{17B4}' | '\u{17B5}'        // Khmer inherent vowels, invisible
        | '\u{180B}'..='\u{180F}'        // Mongolian selectors and vowel separator
        | '\u{200B}'                     // zero-width space
        | '\u{2028}' | '\u{2029}'        // line and paragraph separators
        | '\u{202A}'..='\u{202E}'        // embeddings and overrides
        | '\u{2060}'..='\u{2064}'        // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'        // isolates and deprecated format characters
        | '\u{3164}'                     // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'        // variation selectors
        | '\u{FEFF}'                     // zero-width no-break space (BOM)
        | '\u{FFA0}'                     // halfwidth Hangul filler
        | '\u{FFF9}'..='\u{FFFB}'        // interlinear annotation
        | '\u{1D173}'..='\u{1D17A}'      // musical formatting
        | '\u{E0000}'..='\u{E0FFF}' => true, // tags and supplementary variation selectors
        _ => false,
    }
}

/// Returns true if and only if `text` holds a [`hidden_char`] or a line break (for one-line
/// fields such as names and subjects).
pub fn unfit_for_one_line(text: &str) -> bool {
    text.chars()
        .any(|c| hidden_char(c) || matches!(c, '\t' | '\n' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reordering_invisible_and_control_characters_are_hidden_ones() {
        for c in [
            '\u{0}',
            '\u{7}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{ad}',
            '\u{200b}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{2060}',
            '\u{feff}',
            '\u{e0041}',
            '\u{3164}',
        ] {
            assert!(hidden_char(c), "U+{:04X}", c as u32);
        }
        for c in [
            'a', 'é', 'ß', 'ж', 'ע', 'ب', '字', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}',
            ' ', '\t', '\n', '\r', '😀',
        ] {
            assert!(!hidden_char(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn one_line_fields_refuse_breaks_and_hidden_characters() {
        assert!(!unfit_for_one_line("José Ñúñez — עברית 🙂"));
        assert!(unfit_for_one_line("Ann\u{202e}gro.live"));
        assert!(unfit_for_one_line("Ann\nBcc: x"));
        assert!(unfit_for_one_line("Ann\tB"));
    }
}
