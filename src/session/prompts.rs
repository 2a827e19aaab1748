//! Every instruction the booth shows, in one table, per language. A person
//! reads these in a second: a few words each.

use serde::Deserialize;

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
}

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    En,
    /// German.
    De,
}

impl Prompt {
    /// The words, in `lang`.
    pub fn text(self, lang: Language) -> &'static str {
        use Language::*;
        use Prompt::*;
        match (self, lang) {
            (StepIn, En) => "Step in front of the camera",
            (StepIn, De) => "Bitte vor die Kamera treten",
            (OnlyOnePerson, En) => "Only one person, please",
            (OnlyOnePerson, De) => "Bitte nur eine Person",
            (MoveCloser, En) => "Come a little closer",
            (MoveCloser, De) => "Etwas näher kommen",
            (StepBack, En) => "Move back a little",
            (StepBack, De) => "Etwas zurücktreten",
            (MoveLeft, En) => "Move a little to your left",
            (MoveLeft, De) => "Etwas nach links (von Ihnen aus)",
            (MoveRight, En) => "Move a little to your right",
            (MoveRight, De) => "Etwas nach rechts (von Ihnen aus)",
            (MoveUp, En) => "Sit or stand a little higher",
            (MoveUp, De) => "Etwas höher sitzen",
            (MoveDown, En) => "Sit or stand a little lower",
            (MoveDown, De) => "Etwas tiefer sitzen",
            (LookStraight, En) => "Look straight at the camera",
            (LookStraight, De) => "Gerade in die Kamera schauen",
            (HeadStraight, En) => "Keep your head straight",
            (HeadStraight, De) => "Kopf gerade halten",
            (RaiseChin, En) => "Raise your chin a little",
            (RaiseChin, De) => "Kinn etwas anheben",
            (LowerChin, En) => "Lower your chin a little",
            (LowerChin, De) => "Kinn etwas senken",
            (HoldStill, En) => "Hold still",
            (HoldStill, De) => "Bitte stillhalten",
            (OpenEyes, En) => "Open your eyes",
            (OpenEyes, De) => "Augen öffnen",
            (Ready, En) => "Perfect - press the button",
            (Ready, De) => "Perfekt - Taste drücken",
            (PressToStart, En) => "Passport photos - press the button",
            (PressToStart, De) => "Passfotos - Taste drücken",
            (PressToPrint, En) => "Press to print, hold to retake",
            (PressToPrint, De) => "Drücken: drucken, halten: neu",
            (PressToRetake, En) => "Press the button to try again",
            (PressToRetake, De) => "Taste drücken für neues Foto",
            (CallStaff, En) => "Printer problem - please call staff",
            (CallStaff, De) => "Druckerstörung: Personal rufen",
            (OutOfPaper, En) => "Out of paper - please call staff",
            (OutOfPaper, De) => "Kein Papier: Personal rufen",
            (CameraLost, En) => "No camera - please call staff",
            (CameraLost, De) => "Keine Kamera: Personal rufen",
            (ButtonStuck, En) => "Button stuck - please call staff",
            (ButtonStuck, De) => "Taste klemmt: Personal rufen",
            (OneMoment, En) => "One moment...",
            (OneMoment, De) => "Einen Moment...",
            (Printing, En) => "Printing your photos...",
            (Printing, De) => "Ihre Fotos werden gedruckt...",
            (TakePhotos, En) => "Please take your photos",
            (TakePhotos, De) => "Bitte Fotos entnehmen",
            (ScanForFile, En) => "Scan for your photo file",
            (ScanForFile, De) => "Scannen: Fotodatei",
            (TakePhotosScanForFile, En) => "Take your prints, scan for the file",
            (TakePhotosScanForFile, De) => "Fotos entnehmen, Datei scannen",
            (PressForFile, En) => "Press for your file, hold to retake",
            (PressForFile, De) => "Drücken: Datei, halten: neu",
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
    pub const ALL: [Prompt; 28] = [
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
    ];
}

/// Why a photo was rejected, in a few words for the review screen.
pub fn reason_text(reason: crate::checks::Reason, lang: Language) -> &'static str {
    use crate::checks::Reason::*;
    use Language::*;
    match (reason, lang) {
        (NoFace, En) => "No face found",
        (NoFace, De) => "Kein Gesicht erkannt",
        (MultipleFaces, En) => "Only one person, please",
        (MultipleFaces, De) => "Bitte nur eine Person",
        (FaceCutOff, En) => "Your head is cut off",
        (FaceCutOff, De) => "Kopf ist abgeschnitten",
        (Pose, En) => "Look straight at the camera",
        (Pose, De) => "Gerade in die Kamera schauen",
        (EyesClosed, En) => "Keep your eyes open",
        (EyesClosed, De) => "Augen offen halten",
        (EyesNotVisible, En) => "Your eyes must be visible",
        (EyesNotVisible, De) => "Augen müssen sichtbar sein",
        (Expression, En) => "Neutral face, mouth closed",
        (Expression, De) => "Neutral schauen, Mund zu",
        (TooDark, En) => "Too dark",
        (TooDark, De) => "Zu dunkel",
        (Overexposed, En) => "Too bright",
        (Overexposed, De) => "Zu hell",
        (Blurry, En) => "Blurred - hold still",
        (Blurry, De) => "Unscharf - stillhalten",
        (UnevenLighting, En) => "Uneven light on your face",
        (UnevenLighting, De) => "Ungleichmäßiges Licht",
        (Background, En) => "Background not plain",
        (Background, De) => "Hintergrund nicht einfarbig",
        (LowResolution, En) => "Come closer",
        (LowResolution, De) => "Näher kommen",
        (InsufficientMargin, En) => "Centre your head in the frame",
        (InsufficientMargin, De) => "Kopf in die Mitte",
        (UnnaturalColour, En) => "Colours look wrong",
        (UnnaturalColour, De) => "Farben stimmen nicht",
        (Glasses, En) => "Please take off your glasses",
        (Glasses, De) => "Bitte Brille abnehmen",
        (Glare, En) => "Reflection on your glasses",
        (Glare, De) => "Spiegelung in der Brille",
        (DigitalFile, En) => "The photo file does not fit the portal",
        (DigitalFile, De) => "Fotodatei passt nicht zum Portal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two lines of a 10 px font on a 240 px panel (the UI wraps).
    const MAX_CHARS: usize = 36;

    #[test]
    fn every_prompt_has_short_distinct_text_in_every_language() {
        for lang in [Language::En, Language::De] {
            let mut seen = std::collections::HashSet::new();
            for p in Prompt::ALL {
                let t = p.text(lang);
                assert!(
                    !t.is_empty() && t.chars().count() <= MAX_CHARS,
                    "{p:?} {lang:?}: {t}"
                );
                assert!(seen.insert(t), "{t} twice");
            }
        }
    }
}
