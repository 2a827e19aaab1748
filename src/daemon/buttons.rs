//! Where presses come from: lines on stdin or a unix socket (the simulator:
//! `press`, `long`, `quit`), the simulator window's keys, or the GPIO line
//! through the debouncer.

use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc;

use crate::clock::monotonic_ms;
use crate::input::gpio::GpioButton;
use crate::input::{Button, Press};

/// One input of the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The button.
    Press(Press),
    /// Stop the booth.
    Quit,
}

/// One button line: `press`, `long` or `quit`.
pub fn parse_button(line: &str) -> Option<Input> {
    Some(match line.trim() {
        "press" | "p" | "" => Input::Press(Press::Short),
        "long" | "l" => Input::Press(Press::Long),
        "quit" | "q" => Input::Quit,
        other => {
            eprintln!("passbooth: unknown button '{other}' (press, long, quit)");
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
    /// Stop the booth (the simulator's `quit`, or the end of its input).
    Quit,
}

impl Buttons {
    /// What happened since the last call (never blocks).
    pub fn poll(&mut self) -> Polled {
        match self {
            Buttons::Simulated(rx) => match rx.try_recv() {
                Ok(Input::Press(p)) => Polled::Press(p),
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
