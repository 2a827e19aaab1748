//! Where presses and coins come from: lines on stdin or a unix socket (the
//! simulator: `press`, `long`, `coin N`, `quit`), the simulator window's
//! keys, or the GPIO lines through the debouncer and the pulse decoder.

use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc;

use crate::clock::monotonic_ms;
use crate::input::gpio::{GpioButton, GpioEdges};
use crate::input::{Button, CoinDecoder, Press};

/// One input of the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The button.
    Press(Press),
    /// A coin of this many pulses (a simulated acceptor).
    Coin(u32),
    /// Stop the booth.
    Quit,
}

/// One input line: `press`, `long`, `coin [PULSES]` or `quit`.
pub fn parse_button(line: &str) -> Option<Input> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("coin") {
        return match rest.trim() {
            "" => Some(Input::Coin(1)),
            n => match n.parse() {
                Ok(p) if (1..=100).contains(&p) => Some(Input::Coin(p)),
                _ => {
                    eprintln!("passbooth: 'coin {n}': give the coin's pulses, 1-100");
                    None
                }
            },
        };
    }
    Some(match line {
        "press" | "p" | "" => Input::Press(Press::Short),
        "long" | "l" => Input::Press(Press::Long),
        "quit" | "q" => Input::Quit,
        other => {
            eprintln!("passbooth: unknown button '{other}' (press, long, coin N, quit)");
            return None;
        }
    })
}

/// Forwards button lines from `reader` until it ends; `quit_at_end` makes
/// the end of input a quit (stdin), not a closed connection (socket).
fn forward(reader: impl BufRead, tx: &mpsc::Sender<Input>, quit_at_end: bool) {
    for line in reader.lines().map_while(Result::ok) {
        if let Some(input) = parse_button(&line)
            && tx.send(input).is_err()
        {
            return;
        }
    }
    if quit_at_end {
        let _ = tx.send(Input::Quit);
    }
}

/// Button lines from stdin; end of input is quit unless `keep_running`.
pub fn stdin_buttons(tx: mpsc::Sender<Input>, keep_running: bool) {
    std::thread::spawn(move || forward(std::io::stdin().lock(), &tx, !keep_running));
}

/// Button lines from any client of a unix socket at `path` (`echo press |
/// socat - UNIX-CONNECT:path`); the socket file is replaced if it exists.
pub fn socket_buttons(path: &Path, tx: mpsc::Sender<Input>) -> std::io::Result<()> {
    let _ = std::fs::remove_file(path);
    let listener = std::os::unix::net::UnixListener::bind(path)?;
    std::thread::spawn(move || {
        for conn in listener.incoming().map_while(Result::ok) {
            forward(std::io::BufReader::new(conn), &tx, false);
        }
    });
    Ok(())
}

/// Where presses come from.
pub enum Buttons {
    /// Simulator inputs (stdin, a socket, the window).
    Simulated(mpsc::Receiver<Input>),
    /// The GPIO line through the debouncer.
    Gpio(GpioButton, Button),
}

/// What the buttons said since the last turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    /// Nothing.
    Nothing,
    /// A press.
    Press(Press),
    /// A coin of this many pulses (simulated).
    Coin(u32),
    /// Stop the booth (the simulator's `quit`, or the end of its input).
    Quit,
}

impl Buttons {
    /// What happened since the last call (never blocks).
    pub fn poll(&mut self) -> Polled {
        match self {
            Buttons::Simulated(rx) => match rx.try_recv() {
                Ok(Input::Press(p)) => Polled::Press(p),
                Ok(Input::Coin(p)) => Polled::Coin(p),
                Ok(Input::Quit) => Polled::Quit,
                Err(_) => Polled::Nothing,
            },
            Buttons::Gpio(line, button) => {
                while let Some(edge) = line.poll() {
                    if let Some(p) = button.edge(edge) {
                        return Polled::Press(p);
                    }
                }
                button
                    .tick(monotonic_ms())
                    .map_or(Polled::Nothing, Polled::Press)
            }
        }
    }
}

/// The coin acceptor's GPIO line through the pulse decoder.
pub struct CoinSlot {
    line: GpioEdges,
    decoder: CoinDecoder,
}

impl CoinSlot {
    /// The acceptor on `line`, decoded with `decoder`.
    pub fn new(line: GpioEdges, decoder: CoinDecoder) -> Self {
        Self { line, decoder }
    }

    /// A coin's pulses, when one has arrived whole (never blocks).
    pub fn poll(&mut self) -> Option<u32> {
        while let Some(edge) = self.line.poll() {
            if let Some(p) = self.decoder.edge(edge) {
                return Some(p);
            }
        }
        self.decoder.tick(monotonic_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_lines_are_presses_long_presses_and_quit() {
        assert_eq!(parse_button("press\n"), Some(Input::Press(Press::Short)));
        assert_eq!(parse_button(""), Some(Input::Press(Press::Short)));
        assert_eq!(parse_button(" l "), Some(Input::Press(Press::Long)));
        assert_eq!(parse_button("quit"), Some(Input::Quit));
        assert_eq!(parse_button("jump"), None);
        assert_eq!(parse_button("coin"), Some(Input::Coin(1)));
        assert_eq!(parse_button("coin 2"), Some(Input::Coin(2)));
        assert_eq!(parse_button("coin 0"), None);
        assert_eq!(parse_button("coin two"), None);
    }

    #[test]
    fn stdin_like_input_ends_in_quit_and_a_socket_connection_does_not() {
        let (tx, rx) = mpsc::channel();
        forward(&b"press\nlong\n"[..], &tx, true);
        forward(&b"press\n"[..], &tx, false);
        let got: Vec<Input> = rx.try_iter().collect();
        assert_eq!(
            got,
            [
                Input::Press(Press::Short),
                Input::Press(Press::Long),
                Input::Quit,
                Input::Press(Press::Short)
            ]
        );
    }
}
