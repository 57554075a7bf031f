//! `mvds group create|join|share`: the groups (MVDS data sync contexts) this
//! node takes part in, under local names, and the peers it syncs each with.

use std::io::Write;

use anyhow::Result;
use mvds::wire::GroupId;

use super::error::CliError;
use super::{Ctx, check_name, group_named, peer_named};

pub fn create(ctx: &Ctx, name: &str) -> Result<()> {
    check_name("group", name)?;
    let mut id = [0u8; 32];
    rand::fill(&mut id);
    let group_id = GroupId(id.to_vec());
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    tx.add_group(name, &group_id)?;
    tx.commit()?;
    writeln!(std::io::stdout().lock(), "{group_id}")?;
    Ok(())
}

pub fn join(ctx: &Ctx, name: &str, group_id: &str) -> Result<()> {
    check_name("group", name)?;
    let group_id = parse_group_id(group_id)?;
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    tx.add_group(name, &group_id)?;
    tx.commit()?;
    writeln!(
        std::io::stdout().lock(),
        "joined group '{name}' ({group_id})"
    )?;
    Ok(())
}

pub fn share(ctx: &Ctx, name: &str, peers: &[String]) -> Result<()> {
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    let group = group_named(&tx, name)?;
    for peer in peers {
        let peer = peer_named(&tx, peer)?;
        tx.share(&group.group_id, peer.id)?;
    }
    let all = group_named(&tx, name)?.peers;
    tx.commit()?;
    writeln!(
        std::io::stdout().lock(),
        "group '{name}' is shared with {}",
        all.join(", ")
    )?;
    Ok(())
}

/// A group id as `group create` prints it: hex, 1 to 1024 bytes (the wire
/// limit); other implementations' ids need not be 32 bytes.
fn parse_group_id(text: &str) -> Result<GroupId> {
    let bytes = hex::decode(text.trim())
        .ok()
        .filter(|b| !b.is_empty() && b.len() <= mvds::wire::Limits::default().max_group_id_bytes);
    let bytes = bytes.ok_or_else(|| {
        CliError::usage(format!("'{text}' is not a group id"))
            .hint("a group id is the hex string printed by `mvds group create`")
    })?;
    Ok(GroupId(bytes))
}
