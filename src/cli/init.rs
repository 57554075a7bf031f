//! `mvds init`: a new node directory with its store and secret keys.

use std::io::Write;

use anyhow::{Context, Result};
use mvds::bundle::Identity;
use mvds::engine::Settings;
use mvds::store::{Config, DB_FILE, Store, StoreError};

use super::args::InitArgs;
use super::{Ctx, check_name, identity_path};

pub fn run(ctx: &Ctx, args: &InitArgs) -> Result<()> {
    let dir = ctx.store_dir()?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| check_name("node", n).is_ok())
            .unwrap_or_else(|| "node".to_string()),
    };
    check_name("node", &name)?;
    if dir.join(DB_FILE).exists() {
        return Err(StoreError::AlreadyInitialized { dir }.into());
    }
    let config = Config {
        name: name.clone(),
        settings: Settings {
            mode: args.mode.into(),
            ..Settings::default()
        },
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // The key first: `Identity::save` never overwrites one, so a directory
    // that still holds a key is never silently re-keyed.
    let key = identity_path(&dir);
    let identity = Identity::generate();
    identity.save(&key)?;
    if let Err(e) = Store::create(&dir, &config) {
        // Leave nothing half-made: a key without a store is no node, and a
        // database this call began would read as a damaged node.
        let _ = std::fs::remove_file(&key);
        if !matches!(e, StoreError::AlreadyInitialized { .. }) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("{DB_FILE}{suffix}")));
            }
        }
        return Err(e.into());
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "initialized node '{name}' in {} (fingerprint {})",
        dir.display(),
        identity.contact().fingerprint()
    )?;
    writeln!(out, "give peers your contact: mvds id")?;
    Ok(())
}
