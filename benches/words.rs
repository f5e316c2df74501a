//! The synthetic vocabulary the archive benchmarks share: pronounceable pseudo-words by Zipf rank, so that a generator and a search agree on which words are common and which rare.

/// The pseudo-word of rank `rank` (0 is the most frequent): syllables from the rank's digits,
/// a different word for every rank.
pub fn word_of_rank(rank: usize) -> String {
    const ONSETS: [&str; 16] = [
        "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "st",
    ];
    const VOWELS: [&str; 6] = ["a", "e", "i", "o", "u", "ou"];
    let mut n = rank + 1;
    let mut word = String::new();
    while n > 0 {
        word.push_str(ONSETS[n % 16]);
        n /= 16;
        word.push_str(VOWELS[n % 6]);
        n /= 6;
    }
    word
}
