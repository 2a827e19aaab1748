//! Every instruction the booth shows and says. The words live in data files
//! a translator edits without Rust (`prompts/<lang>.toml`, see
//! [`super::phrasebook`]); this names what there is to say.

pub use super::language::{Language, Languages};
use super::trouble::Trouble;

/// One instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// Nobody in view.
    StepIn,
    /// More than one face.
    OnlyOnePerson,
    /// The face is too small.
    MoveCloser,
    /// The face is too large.
    StepBack,
    /// Move to the person's own left.
    MoveLeft,
    /// Move to the person's own right.
    MoveRight,
    /// The face is too low in the frame.
    MoveUp,
    /// The face is too high in the frame.
    MoveDown,
    /// Head turned.
    LookStraight,
    /// Head tilted sideways.
    HeadStraight,
    /// Chin too low.
    RaiseChin,
    /// Chin too high.
    LowerChin,
    /// Moving between frames.
    HoldStill,
    /// Eyes closed or nearly.
    OpenEyes,
    /// Everything in place.
    Ready,
    /// Attract screen.
    PressToStart,
    /// Review: accepted.
    PressToPrint,
    /// Review: rejected.
    PressToRetake,
    /// Printer trouble.
    CallStaff,
    /// The printer has no paper.
    OutOfPaper,
    /// The camera is missing or stopped sending frames.
    CameraLost,
    /// The button is held down or shorted.
    ButtonStuck,
    /// The engine is working.
    OneMoment,
    /// Waiting for the printer.
    Printing,
    /// The print is out.
    TakePhotos,
    /// The photo file waits for the customer's phone.
    ScanForFile,
    /// The sheet is out and the photo file waits for the phone.
    TakePhotosScanForFile,
    /// At the review of a booth that hands out files only.
    PressForFile,
    /// An accepted photo waits for its price.
    InsertMoney,
    /// The label of the credit inserted so far.
    PaidSoFar,
}

impl Prompt {
    /// The words, in `lang` (from `prompts/<lang>.toml`).
    pub fn text(self, lang: Language) -> &'static str {
        super::phrasebook::book().prompt(lang, self)
    }

    /// Its key in the prompt tables and its voice file's name.
    pub fn key(self) -> &'static str {
        match self {
            Prompt::StepIn => "step_in",
            Prompt::OnlyOnePerson => "only_one_person",
            Prompt::MoveCloser => "move_closer",
            Prompt::StepBack => "step_back",
            Prompt::MoveLeft => "move_left",
            Prompt::MoveRight => "move_right",
            Prompt::MoveUp => "move_up",
            Prompt::MoveDown => "move_down",
            Prompt::LookStraight => "look_straight",
            Prompt::HeadStraight => "head_straight",
            Prompt::RaiseChin => "raise_chin",
            Prompt::LowerChin => "lower_chin",
            Prompt::HoldStill => "hold_still",
            Prompt::OpenEyes => "open_eyes",
            Prompt::Ready => "ready",
            Prompt::PressToStart => "press_to_start",
            Prompt::PressToPrint => "press_to_print",
            Prompt::PressToRetake => "press_to_retake",
            Prompt::CallStaff => "call_staff",
            Prompt::OutOfPaper => "out_of_paper",
            Prompt::CameraLost => "camera_lost",
            Prompt::ButtonStuck => "button_stuck",
            Prompt::OneMoment => "one_moment",
            Prompt::Printing => "printing",
            Prompt::TakePhotos => "take_photos",
            Prompt::ScanForFile => "scan_for_file",
            Prompt::TakePhotosScanForFile => "take_photos_scan_for_file",
            Prompt::PressForFile => "press_for_file",
            Prompt::InsertMoney => "insert_money",
            Prompt::PaidSoFar => "paid_so_far",
        }
    }

    /// What the last screen of a session says: take the prints, scan for
    /// the file, or both (the screen and the voice ask this one place).
    pub fn when_done(printed: bool, file_offered: bool) -> Prompt {
        match (printed, file_offered) {
            (true, true) => Prompt::TakePhotosScanForFile,
            (false, true) => Prompt::ScanForFile,
            _ => Prompt::TakePhotos,
        }
    }

    /// What the trouble screen says for a trouble code: staff need to know
    /// where to look, not only that something is wrong.
    pub fn for_trouble(trouble: Trouble) -> Prompt {
        match trouble {
            Trouble::OutOfPaper => Prompt::OutOfPaper,
            Trouble::CameraLost => Prompt::CameraLost,
            Trouble::ButtonStuck => Prompt::ButtonStuck,
            Trouble::Printer(_) => Prompt::CallStaff,
        }
    }

    /// Every prompt, for completeness tests and translators.
    pub const ALL: [Prompt; 30] = [
        Prompt::StepIn,
        Prompt::OnlyOnePerson,
        Prompt::MoveCloser,
        Prompt::StepBack,
        Prompt::MoveLeft,
        Prompt::MoveRight,
        Prompt::MoveUp,
        Prompt::MoveDown,
        Prompt::LookStraight,
        Prompt::HeadStraight,
        Prompt::RaiseChin,
        Prompt::LowerChin,
        Prompt::HoldStill,
        Prompt::OpenEyes,
        Prompt::Ready,
        Prompt::PressToStart,
        Prompt::PressToPrint,
        Prompt::PressToRetake,
        Prompt::CallStaff,
        Prompt::OutOfPaper,
        Prompt::CameraLost,
        Prompt::ButtonStuck,
        Prompt::OneMoment,
        Prompt::Printing,
        Prompt::TakePhotos,
        Prompt::ScanForFile,
        Prompt::TakePhotosScanForFile,
        Prompt::PressForFile,
        Prompt::InsertMoney,
        Prompt::PaidSoFar,
    ];
}

/// Why a photo was rejected, in a few words for the review screen.
pub fn reason_text(reason: crate::checks::Reason, lang: Language) -> &'static str {
    super::phrasebook::book().reason(lang, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct() {
        let keys: std::collections::HashSet<_> = Prompt::ALL.iter().map(|p| p.key()).collect();
        assert_eq!(keys.len(), Prompt::ALL.len());
    }
}
