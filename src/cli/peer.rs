//! `mvds peer add` and `mvds peer list`: the peers this node trusts. A peer
//! is stored with its contact (both public keys); bundles are only accepted
//! from, and only written for, peers added here.

use std::io::Write;

use anyhow::Result;
use mvds::bundle::Contact;
use serde::Serialize;

use super::error::CliError;
use super::{Ctx, check_name, peer_contact, print_json};

pub fn add(ctx: &Ctx, name: &str, contact: &str) -> Result<()> {
    check_name("peer", name)?;
    let contact: Contact = contact.parse()?;
    let mut store = ctx.open()?;
    if ctx.identity(&store)?.contact() == contact {
        return Err(CliError::usage("this is this node's own contact")
            .hint("add the contact printed by `mvds id` on the other node")
            .into());
    }
    let tx = store.begin()?;
    tx.add_peer(
        name,
        contact.verifying_key().as_bytes(),
        &contact.to_string(),
    )?;
    tx.commit()?;
    writeln!(
        std::io::stdout().lock(),
        "added peer '{name}' (fingerprint {})",
        contact.fingerprint()
    )?;
    Ok(())
}

/// `peer list --json` (docs/cli.md).
#[derive(Serialize)]
struct PeerList {
    peers: Vec<PeerJson>,
}

#[derive(Serialize)]
struct PeerJson {
    name: String,
    fingerprint: String,
    contact: String,
    groups: Vec<String>,
}

pub fn list(ctx: &Ctx, json: bool) -> Result<()> {
    let mut store = ctx.open()?;
    let tx = store.begin()?;
    let groups = tx.groups()?;
    let mut peers = Vec::new();
    for peer in tx.peers()? {
        let contact = peer_contact(&peer)?;
        peers.push(PeerJson {
            groups: groups
                .iter()
                .filter(|g| g.peers.contains(&peer.name))
                .map(|g| g.name.clone())
                .collect(),
            fingerprint: contact.fingerprint(),
            contact: contact.to_string(),
            name: peer.name,
        });
    }
    drop(tx);
    if json {
        return print_json(&PeerList { peers });
    }
    let mut out = std::io::stdout().lock();
    if peers.is_empty() {
        writeln!(
            out,
            "no peers yet; add one with `mvds peer add NAME CONTACT`"
        )?;
    }
    for p in peers {
        let groups = if p.groups.is_empty() {
            "no groups".to_string()
        } else {
            format!("groups: {}", p.groups.join(", "))
        };
        writeln!(out, "{}  {}  {groups}", p.name, p.fingerprint)?;
        writeln!(out, "    {}", p.contact)?;
    }
    Ok(())
}
