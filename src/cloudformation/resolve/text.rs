//! Building and taking apart partially known strings ([`Text`]).

use super::{Part, Text, Unknown};

impl Text {
    /// A text that is one unknown hole.
    pub fn hole(unknown: Unknown) -> Self {
        Self {
            parts: vec![Part::Hole(unknown)],
        }
    }

    /// Appends literal text, merging it with a literal part before it.
    pub fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            last.push_str(s);
        } else {
            self.parts.push(Part::Lit(s.to_owned()));
        }
    }

    pub fn push_hole(&mut self, unknown: Unknown) {
        self.parts.push(Part::Hole(unknown));
    }

    /// A text that is one secret (see [`Part::Secret`]).
    pub fn secret(s: impl Into<String>) -> Self {
        Self {
            parts: vec![Part::Secret(s.into())],
        }
    }

    /// Appends secret text as a part of its own: a secret never merges with what is next to it,
    /// so that masking knows exactly which bytes came from it.
    pub fn push_secret(&mut self, s: &str) {
        if !s.is_empty() {
            self.parts.push(Part::Secret(s.to_owned()));
        }
    }

    /// Appends all of `other`, merging literals at the seam.
    pub fn append(&mut self, other: Text) {
        for part in other.parts {
            match part {
                Part::Lit(s) => self.push_str(&s),
                Part::Secret(s) => self.push_secret(&s),
                Part::Hole(u) => self.push_hole(u),
            }
        }
    }

    /// Whether any part is secret.
    pub fn has_secret(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Secret(_)))
    }

    /// Splits a text without holes at every `sep` (of any length), like `str::split`, each piece
    /// keeping which of its bytes came from a secret part. `None` when the text has holes.
    pub fn split_known(&self, sep: &str) -> Option<Vec<Text>> {
        let mut whole = String::new();
        // Byte ranges of `whole` that are secret.
        let mut secret = Vec::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => whole.push_str(s),
                Part::Secret(s) => {
                    secret.push((whole.len(), whole.len() + s.len()));
                    whole.push_str(s);
                }
                Part::Hole(_) => return None,
            }
        }
        let piece = |start: usize, end: usize| {
            let mut t = Text::default();
            let mut at = start;
            for &(a, b) in &secret {
                let (a, b) = (a.max(start), b.min(end));
                if a >= b {
                    continue;
                }
                t.push_str(&whole[at..a]);
                t.push_secret(&whole[a..b]);
                at = b;
            }
            t.push_str(&whole[at..end]);
            t
        };
        let mut out = Vec::new();
        let mut start = 0;
        for (at, _) in whole.match_indices(sep) {
            out.push(piece(start, at));
            start = at + sep.len();
        }
        out.push(piece(start, whole.len()));
        Some(out)
    }

    /// The unknown holes, in order.
    pub fn holes(&self) -> impl Iterator<Item = &Unknown> {
        self.parts.iter().filter_map(|p| match p {
            Part::Hole(u) => Some(u),
            Part::Lit(_) | Part::Secret(_) => None,
        })
    }

    pub fn is_known(&self) -> bool {
        self.holes().next().is_none()
    }

    /// The known text before the first hole (the whole text when there is none).
    pub fn literal_prefix(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) | Part::Secret(s) => out.push_str(s),
                Part::Hole(_) => break,
            }
        }
        out
    }

    /// The known text after the last hole (the whole text when there is none).
    pub fn literal_suffix(&self) -> String {
        let mut pieces = Vec::new();
        for part in self.parts.iter().rev() {
            match part {
                Part::Lit(s) | Part::Secret(s) => pieces.push(s.as_str()),
                Part::Hole(_) => break,
            }
        }
        pieces.iter().rev().copied().collect()
    }

    /// Bytes of literal text.
    pub fn literal_len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) | Part::Secret(s) => s.len(),
                Part::Hole(_) => 0,
            })
            .sum()
    }

    /// Splits at every `sep` in the literal parts; a hole stays inside the segment where it
    /// occurs, so `arn:aws:ses:<region>:<account>:identity/x` split on `:` gives six segments, two
    /// of them holes. The caller vouches that no hole hides a `sep`. An empty segment has no
    /// parts; there is always at least one segment.
    pub fn split_on(&self, sep: char) -> Vec<Text> {
        let mut out = Vec::new();
        let mut current = Text::default();
        for part in &self.parts {
            match part {
                Part::Lit(s) | Part::Secret(s) => {
                    let secret = matches!(part, Part::Secret(_));
                    let push = |t: &mut Text, piece: &str| match secret {
                        true => t.push_secret(piece),
                        false => t.push_str(piece),
                    };
                    let mut pieces = s.split(sep);
                    if let Some(first) = pieces.next() {
                        push(&mut current, first);
                    }
                    for piece in pieces {
                        out.push(std::mem::take(&mut current));
                        push(&mut current, piece);
                    }
                }
                Part::Hole(u) => current.push_hole(u.clone()),
            }
        }
        out.push(current);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use crate::value::UnknownReason;

    fn pseudo(name: &str) -> Unknown {
        Unknown {
            span: Span::new(1, 2),
            reason: UnknownReason::Pseudo { name: name.into() },
        }
    }

    fn arn() -> Text {
        let mut t = Text::lit("arn:");
        t.push_hole(pseudo("AWS::Partition"));
        t.push_str(":ses:us-east-1:");
        t.push_hole(pseudo("AWS::AccountId"));
        t.push_str(":identity/example.com");
        t
    }

    #[test]
    fn split_on_keeps_holes_inside_segments() {
        let segments = arn().split_on(':');
        let shown: Vec<String> = segments.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "arn",
                "<AWS::Partition>",
                "ses",
                "us-east-1",
                "<AWS::AccountId>",
                "identity/example.com"
            ]
        );
        assert_eq!(
            segments[1].parts,
            vec![Part::Hole(pseudo("AWS::Partition"))]
        );
        assert_eq!(segments[5].known().as_deref(), Some("identity/example.com"));
    }

    #[test]
    fn split_on_hole_glued_to_literal() {
        let mut t = Text::lit("identity/");
        t.push_hole(pseudo("AWS::StackName"));
        t.push_str(".example.com/x");
        let segments = t.split_on('/');
        assert_eq!(segments.len(), 3);
        assert_eq!(segments[1].to_string(), "<AWS::StackName>.example.com");
        assert_eq!(segments[1].literal_prefix(), "");
        assert_eq!(segments[1].literal_suffix(), ".example.com");
        assert_eq!(segments[2].known().as_deref(), Some("x"));
    }

    #[test]
    fn split_on_edges() {
        let segments = Text::lit("::").split_on(':');
        assert_eq!(segments.len(), 3);
        assert!(segments.iter().all(|s| s.known().as_deref() == Some("")));
        assert_eq!(Text::default().split_on(':').len(), 1);
        assert_eq!(
            Text::lit("héé:ü").split_on(':')[1].known().as_deref(),
            Some("ü")
        );
    }

    #[test]
    fn split_known_keeps_secret_bytes_secret() {
        let mut t = Text::lit("x,");
        t.push_secret("A,B");
        t.push_str("c,d");
        let pieces = t.split_known(",").unwrap();
        let parts: Vec<&[Part]> = pieces.iter().map(|p| p.parts.as_slice()).collect();
        assert_eq!(
            parts,
            [
                &[Part::Lit("x".into())][..],
                &[Part::Secret("A".into())],
                &[Part::Secret("B".into()), Part::Lit("c".into())],
                &[Part::Lit("d".into())],
            ]
        );
        // A separator that straddles a secret's edge drops the secret bytes it covers.
        let mut t = Text::lit("a");
        t.push_secret("b|c");
        assert_eq!(
            t.split_known("b|").unwrap()[1].parts,
            vec![Part::Secret("c".into())]
        );
        assert!(arn().split_known(":").is_none());
        // `split_on` keeps secrets too.
        let mut t = Text::lit("arn:");
        t.push_secret("s1:s2");
        let segments = t.split_on(':');
        assert_eq!(segments[2].parts, vec![Part::Secret("s2".into())]);
    }

    #[test]
    fn push_merges_literals_and_measures() {
        let mut t = Text::lit("a");
        t.push_str("b");
        t.push_str("");
        t.append(Text::lit("c"));
        assert_eq!(t.parts, vec![Part::Lit("abc".into())]);
        let arn = arn();
        assert_eq!(arn.literal_prefix(), "arn:");
        assert_eq!(arn.literal_suffix(), ":identity/example.com");
        assert_eq!(arn.holes().count(), 2);
        assert!(!arn.is_known());
        assert_eq!(arn.literal_len(), 4 + 15 + 21);
    }
}
