//! What every rules file under `specs/` shares, spec or portal profile:
//! read, parsed, named after its id, and every error naming the file.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::SpecError;

/// Reads `path` as text.
pub(super) fn read(path: &Path) -> Result<String, SpecError> {
    std::fs::read_to_string(path).map_err(|source| SpecError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses `text` (the file `path`) into `T`.
pub(super) fn parse<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, SpecError> {
    toml::from_str(text).map_err(|e| SpecError::Parse {
        path: path.to_path_buf(),
        message: e.to_string().trim_end().replace('\n', " "),
    })
}

/// The error for `field` of the file `path`.
pub(super) fn invalid(path: &Path, field: &str, problem: String) -> SpecError {
    SpecError::Invalid {
        path: path.to_path_buf(),
        field: field.to_string(),
        problem,
    }
}

/// The file must be named after its `id`, so an operator finds it by id.
pub(super) fn check_id(id: &str, path: &Path) -> Result<(), SpecError> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !stem.is_empty() && id != stem {
        return Err(invalid(
            path,
            "id",
            format!("'{id}' differs from the file name '{stem}'"),
        ));
    }
    Ok(())
}

/// The `*.toml` files of `dir`, sorted.
pub(super) fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    Ok(paths)
}
