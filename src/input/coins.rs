//! A coin acceptor or bill validator in pulse mode: for each coin it sends
//! a train of pulses on one line (N pulses for a coin worth N units). The
//! decoding is pure code over timestamped edges: a pulse counts when its
//! length is within the acceptor's, shorter or longer ones are noise, and
//! pulses closer together than the gap belong to one coin.

use super::button::Edge;
use crate::clock::Millis;

/// The acceptor's pulse timing (its manual gives it; common acceptors send
/// 20-100 ms pulses with 50-100 ms between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PulseTiming {
    /// Shortest real pulse.
    pub min_ms: Millis,
    /// Longest real pulse.
    pub max_ms: Millis,
    /// Pulses this close (end to start) are one coin; a longer quiet ends it.
    pub gap_ms: Millis,
}

impl Default for PulseTiming {
    fn default() -> Self {
        Self {
            min_ms: 20,
            max_ms: 150,
            gap_ms: 300,
        }
    }
}

/// Pulse trains to coins.
#[derive(Debug, Clone)]
pub struct CoinDecoder {
    timing: PulseTiming,
    /// When the current pulse began, if the line is active.
    active_since: Option<Millis>,
    /// Pulses of the coin arriving now, and when its last pulse ended.
    pulses: u32,
    last_end: Millis,
    /// Pulses refused as noise (too short or too long).
    noise: u64,
}

impl CoinDecoder {
    /// A quiet line.
    pub fn new(timing: PulseTiming) -> Self {
        Self {
            timing,
            active_since: None,
            pulses: 0,
            last_end: 0,
            noise: 0,
        }
    }

    /// Pulses refused so far.
    pub fn noise(&self) -> u64 {
        self.noise
    }

    /// A coin whose train ended before `now`, if any.
    fn finished(&mut self, now: Millis) -> Option<u32> {
        (self.pulses > 0 && now.saturating_sub(self.last_end) > self.timing.gap_ms)
            .then(|| std::mem::take(&mut self.pulses))
    }

    /// An edge of the line (`pressed`: active). Returns the pulses of a
    /// coin that this edge shows to have ended.
    pub fn edge(&mut self, e: Edge) -> Option<u32> {
        if e.pressed {
            let done = self.finished(e.at);
            self.active_since = Some(e.at);
            return done;
        }
        let start = self.active_since.take()?;
        let len = e.at.saturating_sub(start);
        if (self.timing.min_ms..=self.timing.max_ms).contains(&len) {
            self.pulses += 1;
            self.last_end = e.at;
        } else {
            self.noise += 1;
        }
        None
    }

    /// Time passed: the pulses of a coin whose train has ended (the line
    /// quiet for longer than the gap).
    pub fn tick(&mut self, now: Millis) -> Option<u32> {
        if self.active_since.is_some() {
            return None;
        }
        self.finished(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pulses as (start, length) in ms, to edges.
    fn train(pulses: &[(Millis, Millis)]) -> Vec<Edge> {
        pulses
            .iter()
            .flat_map(|&(at, len)| {
                [
                    Edge { at, pressed: true },
                    Edge {
                        at: at + len,
                        pressed: false,
                    },
                ]
            })
            .collect()
    }

    /// Feeds `edges` and ticks every 10 ms up to `until`; the coins seen.
    fn decode(edges: &[Edge], until: Millis) -> (Vec<u32>, u64) {
        let mut d = CoinDecoder::new(PulseTiming::default());
        let mut coins = Vec::new();
        let mut next = edges.iter().peekable();
        for now in (0..=until).step_by(10) {
            while let Some(e) = next.next_if(|e| e.at <= now) {
                coins.extend(d.edge(*e));
            }
            coins.extend(d.tick(now));
        }
        (coins, d.noise())
    }

    #[test]
    fn one_coin_is_its_pulses() {
        let (coins, noise) = decode(&train(&[(100, 50), (250, 50), (400, 50)]), 2000);
        assert_eq!((coins, noise), (vec![3], 0));
    }

    #[test]
    fn two_coins_back_to_back_are_two() {
        // 2 pulses, 400 ms quiet (past the 300 ms gap), 1 pulse.
        let (coins, _) = decode(&train(&[(100, 50), (250, 50), (700, 50)]), 2000);
        assert_eq!(coins, [2, 1]);
        // The second coin's first edge ends the first coin at once, tick or
        // no tick.
        let mut d = CoinDecoder::new(PulseTiming::default());
        let e = train(&[(100, 50), (600, 50)]);
        assert_eq!(d.edge(e[0]), None);
        assert_eq!(d.edge(e[1]), None);
        assert_eq!(d.edge(e[2]), Some(1));
    }

    #[test]
    fn noise_and_too_short_or_long_pulses_are_not_money() {
        // A 5 ms spike, a real pulse, a 2 s stuck line, a real pulse.
        let edges = train(&[(100, 5), (200, 50), (260, 2000), (2300, 60)]);
        let (coins, noise) = decode(&edges, 4000);
        // The stuck stretch lasts past the gap: the first real pulse is a
        // coin of its own; the spike and the stuck line count for nothing.
        assert_eq!((coins, noise), (vec![1, 1], 2));
        // Bounce on a release: an edge without a start is ignored.
        let mut d = CoinDecoder::new(PulseTiming::default());
        assert_eq!(
            d.edge(Edge {
                at: 10,
                pressed: false
            }),
            None
        );
        assert_eq!(d.tick(1000), None);
    }

    #[test]
    fn a_coin_still_arriving_is_not_counted_yet() {
        let mut d = CoinDecoder::new(PulseTiming::default());
        for e in train(&[(0, 50), (150, 50)]) {
            d.edge(e);
        }
        // 250 ms after the last pulse: within the gap, more may come.
        assert_eq!(d.tick(450), None);
        // While a pulse is under way, never.
        d.edge(Edge {
            at: 460,
            pressed: true,
        });
        assert_eq!(d.tick(5000), None);
        d.edge(Edge {
            at: 510,
            pressed: false,
        });
        assert_eq!(d.tick(900), Some(3));
    }
}
