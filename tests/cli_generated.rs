//! The committed completions/ and man/ must be what the program generates
//! now: a change to the command line without regenerating them fails here.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let out = tempfile::tempdir().unwrap();
    common::mvds()
        .args(["generate", out.path().to_str().unwrap()])
        .assert()
        .success();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["completions", "man"] {
        let fresh = files(&out.path().join(dir));
        assert!(!fresh.is_empty(), "nothing generated in {dir}/");
        let committed = files(&repo.join(dir));
        assert!(
            fresh == committed,
            "{dir}/ is stale: regenerate it with `cargo run -- generate` and commit the result"
        );
    }
}

#[test]
fn every_subcommand_has_a_man_page() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for page in [
        "mvds.1",
        "mvds-import.1",
        "mvds-peer-add.1",
        "mvds-group-share.1",
    ] {
        assert!(repo.join("man").join(page).is_file(), "{page}");
    }
    for file in ["mvds.bash", "_mvds", "mvds.fish", "mvds.elv", "_mvds.ps1"] {
        assert!(repo.join("completions").join(file).is_file(), "{file}");
    }
}
