//! Spoken guidance: every phrase of every language rendered with the real
//! espeak-ng, and played by the booth through a real ALSA device (a PCM of
//! type file, so the sound lands in a file this test reads) as the session
//! changes state.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use passbooth::booth::Voice;
use passbooth::booth::script::{Person, play};
use passbooth::booth::speech::render_all;
use passbooth::capture::replay::ReplaySource;
use passbooth::checks::Reason;
use passbooth::input::Press;
use passbooth::session::announcer::{Phrase, VoicePace};
use passbooth::session::machine::State;
use passbooth::session::prompts::{Language, Languages, Prompt};
use passbooth::voice::AlsaDevice;
use passbooth::voice::{AplayPlayer, Clip, Speaker};
use tempfile::TempDir;

use crate::booth::TestBooth;
use crate::common::*;
use crate::languages::scripted_booth;

/// Whether `program` runs here; a skip (a failure under CI) if not.
fn have(program: &str, package: &str) -> bool {
    let ok = std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        missing_input(&format!("{program} (Debian package {package})"));
    }
    ok
}

fn rendered(languages: &[Language]) -> Option<TempDir> {
    if !have("espeak-ng", "espeak-ng") {
        return None;
    }
    let dir = TempDir::new().unwrap();
    render_all(Path::new("espeak-ng"), dir.path(), languages).unwrap();
    Some(dir)
}

#[test]
fn every_phrase_in_every_language_is_rendered_and_sounds() {
    let Some(dir) = rendered(&Language::ALL) else {
        return;
    };
    let phrases: Vec<Phrase> = Phrase::all().collect();
    assert_eq!(phrases.len(), Prompt::ALL.len() + Reason::ALL.len());
    for lang in Language::ALL {
        for &p in &phrases {
            let path = dir.path().join(p.file_name(lang));
            let clip = Clip::load(&path).unwrap_or_else(|e| panic!("{lang:?} {p:?}: {e}"));
            let s = clip.seconds();
            // A few words: longer than a syllable, shorter than a speech.
            assert!((0.3..8.0).contains(&s), "{}: {s:.2} s", path.display());
            assert!(
                clip.peak() > 3000,
                "{}: peak {}",
                path.display(),
                clip.peak()
            );
            // Words all through, not a click and silence: a tenth of the
            // samples or more are loud.
            let loud = clip
                .samples
                .iter()
                .filter(|s| s.unsigned_abs() > 1000)
                .count();
            assert!(
                loud * 10 > clip.samples.len(),
                "{}: {loud} loud samples",
                path.display()
            );
        }
    }
    // The languages are spoken, not one voice reading every table.
    let en = Clip::load(&dir.path().join("en-hold_still.wav")).unwrap();
    let uk = Clip::load(&dir.path().join("uk-hold_still.wav")).unwrap();
    assert_ne!(en, uk);
}

/// A speaker that notes every clip it is asked to play.
#[derive(Clone, Default)]
struct Ear(Arc<Mutex<Vec<Option<Clip>>>>);

impl Speaker for Ear {
    fn play(&mut self, clip: &Clip) {
        self.0.lock().unwrap().push(Some(clip.clone()));
    }
    fn stop(&mut self) {
        self.0.lock().unwrap().push(None);
    }
}

fn booth_speaking(lang: Language, voice: Voice, out: &Path) -> TestBooth<ReplaySource> {
    scripted_booth(Languages::one(lang), out).with_voice(voice)
}

/// What the clip heard was: the phrase whose recording in `dir` it is.
fn which(dir: &Path, lang: Language, clip: &Clip) -> Phrase {
    Phrase::all()
        .find(|p| Clip::load(&dir.join(p.file_name(lang))).is_ok_and(|c| &c == clip))
        .expect("a recording of the tables")
}

#[test]
fn a_session_says_each_instruction_as_it_appears_in_its_language() {
    let Some(voices) = rendered(&[Language::De]) else {
        return;
    };
    let out = TempDir::new().unwrap();
    let ear = Ear::default();
    let voice = Voice::new(Box::new(ear.clone()), voices.path(), VoicePace::default());
    let mut b = booth_speaking(Language::De, voice, out.path());
    let mut now = 0;
    // Nothing is said to an empty room.
    for _ in 0..30 {
        now += 100;
        b.step(now, None).unwrap();
    }
    assert!(ear.0.lock().unwrap().iter().all(Option::is_none));
    play(&mut b, &mut Person::new(), &mut now, 1200, |b, _| {
        Ok(b.record().prints > 0 && matches!(b.state(), State::Idle))
    })
    .unwrap();
    let heard: Vec<Phrase> = ear
        .0
        .lock()
        .unwrap()
        .iter()
        .flatten()
        .map(|c| which(voices.path(), Language::De, c))
        .collect();
    let p = |p| Phrase::Prompt(p);
    // Nobody, then off to one side, then in place: each said once as it
    // showed, then the working and the result screens, in order.
    assert_eq!(heard.first(), Some(&p(Prompt::StepIn)), "{heard:?}");
    let tail = [
        p(Prompt::OneMoment),
        p(Prompt::PressToPrint),
        p(Prompt::Printing),
        p(Prompt::TakePhotos),
    ];
    assert!(heard.ends_with(&tail), "{heard:?}");
    assert!(heard.contains(&p(Prompt::Ready)), "{heard:?}");
    // No phrase twice in a row.
    assert!(heard.windows(2).all(|w| w[0] != w[1]), "{heard:?}");
    // Back at the attract screen the booth is silent.
    assert_eq!(ear.0.lock().unwrap().last(), Some(&None));
}

/// An ALSA configuration with one device, `tofile`: a PCM of type file
/// whose slave is the null device, so every sample played lands in `raw`.
fn alsa_to_file(dir: &Path, raw: &Path) -> PathBuf {
    let conf = dir.join("asound.conf");
    std::fs::write(
        &conf,
        format!(
            "pcm.tofile {{ type file; slave {{ pcm {{ type null }} }} file \"{}\"; format \"raw\" }}\n",
            raw.display()
        ),
    )
    .unwrap();
    conf
}

/// The file the ALSA device wrote, once it stops growing.
fn settled(raw: &Path) -> Vec<u8> {
    let mut last = None;
    for _ in 0..200 {
        std::thread::sleep(std::time::Duration::from_millis(25));
        let len = std::fs::metadata(raw).map(|m| m.len()).ok();
        if len.is_some() && len == last {
            break;
        }
        last = len;
    }
    std::fs::read(raw).unwrap_or_default()
}

#[test]
fn a_state_change_is_heard_through_an_alsa_device() {
    let Some(voices) = rendered(&[Language::Uk]) else {
        return;
    };
    if !have("aplay", "alsa-utils") {
        return;
    }
    let tmp = TempDir::new().unwrap();
    let raw = tmp.path().join("speaker.raw");
    let conf = alsa_to_file(tmp.path(), &raw);
    let player =
        AplayPlayer::new(&AlsaDevice::parse("tofile").unwrap(), 50).with_alsa_config(&conf);
    let voice = Voice::new(Box::new(player), voices.path(), VoicePace::default());
    let mut b = booth_speaking(Language::Uk, voice, tmp.path());
    for t in 0..10 {
        b.step(t * 100, None).unwrap();
    }
    assert!(!raw.exists(), "the attract screen is silent");
    // The press starts a session: the first instruction is spoken.
    b.step(1000, Some(Press::Short)).unwrap();
    assert_eq!(b.state(), &State::Framing);
    let said = settled(&raw);
    let clip = Clip::load(
        &voices
            .path()
            .join(Phrase::Prompt(Prompt::StepIn).file_name(Language::Uk)),
    )
    .unwrap();
    let want = clip.samples.len() * 2;
    // All of the phrase, padded to ALSA's last period at most.
    assert!(
        said.len() >= want && said.len() < want + 16_384,
        "{} bytes heard, the phrase is {want}",
        said.len()
    );
    let samples: Vec<i16> = said
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
    // At half volume: half the recording's loudest sample.
    assert!(
        peak.abs_diff(clip.peak() / 2) <= 1,
        "peak {peak}, the recording's {}",
        clip.peak()
    );
    assert_eq!(
        samples[..clip.samples.len()],
        clip.samples
            .iter()
            .map(|&s| (i32::from(s) * 50 / 100) as i16)
            .collect::<Vec<_>>()[..]
    );
}

#[test]
fn a_device_that_is_an_alsa_plugin_string_is_refused_and_runs_nothing() {
    // The finding: ALSA's file plugin writes into a shell pipe, so this
    // "device" ran `touch` on the first phrase.
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let device = format!("file:'|touch {}',raw", marker.display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_passbooth"))
        .args(["voice", "say", "step_in", "--device", &device])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("is not an ALSA card or device"), "{err}");
    assert!(!marker.exists(), "the plugin string ran a command");
}
