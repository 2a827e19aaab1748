//! The layer rule, checked on the source: a module imports only modules of
//! lower layers (README, "How it works"). A source scan is enough: every
//! cross-module path in this crate starts with `crate::`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom to top. A module may use any module of a lower row and none of
/// its own row or above: the four devices do not know each other.
const LAYERS: &[&[&str]] = &[
    &["clock", "privacy"],
    &["imaging"],
    &["vision"],
    &["spec"],
    &["compose"],
    &["checks"],
    &["engine"],
    &["gpio"],
    &["capture", "display", "input", "print", "handoff", "voice"],
    &["session"],
    &["booth"],
    &["config"],
    &["daemon"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments and without its `#[cfg(test)]` tail (a unit
/// test may borrow from anywhere).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named after every `crate::` in `code`, with
/// `crate::{a::x, b}` groups opened.
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        // `image_crate::x` is a path into a module of that name, not `crate::`.
        let part_of_a_name = rest[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        rest = &rest[i + "crate::".len()..];
        if part_of_a_name {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (c == ',' && depth == 1) {
                    found.extend(first_ident(&item));
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            found.extend(first_ident(rest));
        }
    }
    found
}

fn first_ident(s: &str) -> Option<String> {
    let ident: String = s
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!ident.is_empty() && ident != "self").then_some(ident)
}

/// Every import that breaks the rule in the tree at `src`, as
/// "file: module -> module (why)".
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(own) = layer_of(&top) else {
            out.push(format!(
                "{}: module {top} has no layer (add it to LAYERS and the README)",
                rel.display()
            ));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for used in imports(&code) {
            if used == top {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                Some(l) if l == own => out.push(format!(
                    "{}: {top} -> {used} (the same layer)",
                    rel.display()
                )),
                Some(_) => out.push(format!("{}: {top} -> {used} (points up)", rel.display())),
                None => out.push(format!(
                    "{}: {top} -> {used} (no such layer)",
                    rel.display()
                )),
            }
        }
    }
    out
}

#[test]
fn every_import_points_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scan_catches_an_import_that_points_up_or_sideways() {
    let dir = tempfile::TempDir::new().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("imaging/mod.rs", "use crate::privacy::x;\n");
    write(
        "vision/detector.rs",
        "use crate::{\n    imaging::RgbImage,\n    session::Millis,\n};\n// use crate::cli;\n",
    );
    write("print/mod.rs", "fn f() { crate::display::x(); }\n");
    write(
        "spec/mod.rs",
        "#[cfg(test)]\nmod tests {\n    use crate::cli;\n}\n",
    );
    write("widgets.rs", "\n");
    // A module named `..._crate` is no `crate::` path.
    write("vision/mesh.rs", "fn f() { image_crate::decode(); }\n");
    let bad = violations(dir.path());
    assert_eq!(
        bad,
        [
            "print/mod.rs: print -> display (the same layer)",
            "vision/detector.rs: vision -> session (points up)",
            "widgets.rs: module widgets has no layer (add it to LAYERS and the README)",
        ]
    );
}

#[test]
fn the_readme_draws_the_same_layers() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let how = readme
        .split("## How it works")
        .nth(1)
        .expect("README has a How it works section");
    for row in LAYERS {
        for module in *row {
            assert!(
                how.contains(&format!("`{module}`")),
                "README's How it works does not name `{module}`"
            );
        }
    }
}
