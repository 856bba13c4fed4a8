//! Events recorded once and replayed from any position, for SOAP-encoded messages whose
//! multiRef `href`s point forwards or backwards.

use super::{Ev, Source};
use crate::translate::DecodeError;

/// Events recorded once, replayed from any position (for multiRef documents).
///
/// Every reference replays its target, so a target referenced twice by an element that is
/// itself referenced twice, and so on, would expand a small message exponentially (the
/// billion laughs, made of `href`s instead of entities). All cursors share one budget of
/// replayed events, a fixed multiple of the recorded ones: the decoded answer stays
/// proportional to what the backend sent.
pub struct Recorded<'i> {
    pub events: Vec<Ev<'i>>,
    ids: std::collections::HashMap<String, usize>,
    replayed: std::cell::Cell<usize>,
}

/// How many times over, in all, the recorded events may be replayed.
pub const MAX_REPLAY_FACTOR: usize = 8;

impl<'i> Recorded<'i> {
    /// Reads everything from `src` until `Eof`.
    pub fn record(src: &mut impl Source<'i>) -> Result<Self, DecodeError> {
        let mut events = Vec::new();
        loop {
            let ev = src.next()?;
            let eof = matches!(ev, Ev::Eof);
            events.push(ev);
            if eof {
                let ids = events
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| match e {
                        Ev::Start(s) => s.id().map(|id| (id.to_owned(), i)),
                        _ => None,
                    })
                    .collect();
                return Ok(Self {
                    events,
                    ids,
                    replayed: std::cell::Cell::new(0),
                });
            }
        }
    }

    /// Index of the `Start` of the element whose `id` is `id`.
    pub fn find_id(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    pub fn cursor(&self, at: usize) -> Replay<'_, 'i> {
        Replay { rec: self, at }
    }
}

/// A cursor over recorded events.
pub struct Replay<'r, 'i> {
    rec: &'r Recorded<'i>,
    at: usize,
}

impl<'i> Source<'i> for Replay<'_, 'i> {
    fn next(&mut self) -> Result<Ev<'i>, DecodeError> {
        match self.rec.events.get(self.at) {
            Some(ev) => {
                let replayed = self.rec.replayed.get() + 1;
                let budget = self.rec.events.len().saturating_mul(MAX_REPLAY_FACTOR);
                if replayed > budget {
                    return Err(DecodeError::TooLarge(format!(
                        "multiRef references expand the message to more than \
                         {MAX_REPLAY_FACTOR} times its {} elements and texts",
                        self.rec.events.len()
                    )));
                }
                self.rec.replayed.set(replayed);
                self.at += 1;
                Ok(ev.clone())
            }
            None => Ok(Ev::Eof),
        }
    }
}
