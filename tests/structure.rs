//! The code's shape, checked: the colours once (the canvases' palette is the style sheet's), the
//! plots free of the page object (no import cycle), no source file past about 400 lines without a
//! reason at its top, and the docs that say how to add an entry still true (every path
//! CONTRIBUTING.md names exists; the README names every registry entry).

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use vi_playground::engine::{family::FAMILIES, objective::OBJECTIVES, target::TARGETS};
use vi_playground::palette;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_canvases_colours_are_the_style_sheets() {
    let css = read("style/app.css");
    for rule in [
        format!("--q: {};", palette::Q[0].hex()),
        format!("--ink: {};", palette::INK.hex()),
        format!(".app .swatch.target {{ background: {}; }}", palette::TARGET.hex()),
        format!(".app .pane-a {{ color: {}; }}", palette::Q_TEXT[0].hex()),
        format!(".app .pane-b {{ color: {}; }}", palette::Q_TEXT[1].hex()),
    ] {
        assert!(css.contains(&rule), "style/app.css lacks `{rule}`");
    }
}

#[test]
fn the_plots_take_data_not_the_page() {
    let mut files = Vec::new();
    rust_files(&root().join("src/app/plots"), &mut files);
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(!text.contains("app::live") && !text.contains("Live"), "{} reaches into the page object", f.display());
    }
}

/// A file past 400 lines says why in its first lines (`Longer than 400 lines: …`).
#[test]
fn no_source_file_is_long_without_a_reason() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines = text.lines().count();
        let head: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
        assert!(lines <= 400 || head.contains("Longer than 400 lines:"), "{}: {lines} lines", f.display());
    }
}

/// Every path CONTRIBUTING.md names in backticks exists (the steps of adding an entry stay true),
/// and the README names every entry of every registry.
#[test]
fn the_docs_on_adding_entries_stay_true() {
    let guide = read("CONTRIBUTING.md");
    let mut named = 0;
    for piece in guide.split('`').skip(1).step_by(2) {
        let path = piece.trim_end_matches('/');
        if path.starts_with("src/") || path.starts_with("tests/") {
            if path.contains('<') {
                // A template: its directory must exist.
                let dir = Path::new(path).parent().unwrap();
                assert!(root().join(dir).is_dir(), "CONTRIBUTING.md names {path}: no {}", dir.display());
            } else {
                assert!(root().join(path).exists(), "CONTRIBUTING.md names {path}, which does not exist");
            }
            named += 1;
        }
    }
    assert!(named > 10, "only {named} paths found");
    let readme = read("README.md");
    let mut names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    names.extend(FAMILIES.iter().map(|f| f.name));
    names.extend(OBJECTIVES.iter().flat_map(|o| std::iter::once(o.name).chain(o.gradients().iter().map(|g| g.name))));
    for name in names {
        assert!(readme.contains(&format!("`{name}`")), "README.md does not name `{name}`");
    }
}

/// Every file of a registry's directory that defines an entry (`pub static INFO`) is in the
/// registry's list, by the name its `INFO` gives, and the list has no other.
#[test]
fn every_entry_file_is_registered() {
    let registries: [(&str, Vec<&str>); 3] = [
        ("src/engine/target", TARGETS.iter().map(|t| t.name).collect()),
        ("src/engine/family", FAMILIES.iter().map(|f| f.name).collect()),
        ("src/engine/objective", OBJECTIVES.iter().map(|o| o.name).collect()),
    ];
    for (dir, listed) in registries {
        let mut defined: Vec<String> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .filter_map(|text| {
                let info = &text[text.find("pub static INFO")?..];
                let name = &info[info.find("name: \"")? + 7..];
                Some(name[..name.find('"')?].to_string())
            })
            .collect();
        defined.sort();
        let mut listed: Vec<String> = listed.iter().map(|n| n.to_string()).collect();
        listed.sort();
        assert_eq!(defined, listed, "{dir}: the entries its files define against its registry");
    }
}
