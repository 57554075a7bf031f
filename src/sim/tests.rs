//! Simulator tests: determinism, the exact lossless figures, latency of one
//! epoch per hop, and delivery of everything in every scenario and model.

use std::collections::VecDeque;

use clap::Parser;

use super::*;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    sim: SimArgs,
}

fn args(line: &str) -> SimArgs {
    Cli::try_parse_from(std::iter::once("sim").chain(line.split_whitespace()))
        .expect("valid arguments")
        .sim
}

fn spec(name: &str, network: Network, policy: Policy, mode: Mode, seed: u64) -> RunSpec<'static> {
    RunSpec {
        scenario: scenario::find(name).expect("registered"),
        size: None,
        network,
        settings: policy.settings(mode),
        seed,
        max_epochs: 1_000_000,
    }
}

/// Every node always online, nothing lost.
fn lossless() -> Network {
    Network {
        availability: 1.0,
        ..Network::new(ModelKind::Availability)
    }
}

#[test]
fn same_seed_same_json_other_seed_other_json() {
    let a = run_cli(&args(
        "s2 --seed 7 --runs 2 --json --loss 0.1 --duplicate 0.1 --reorder 0.1",
    ))
    .unwrap();
    let b = run_cli(&args(
        "s2 --seed 7 --runs 2 --json --loss 0.1 --duplicate 0.1 --reorder 0.1",
    ))
    .unwrap();
    let c = run_cli(&args(
        "s2 --seed 8 --runs 2 --json --loss 0.1 --duplicate 0.1 --reorder 0.1",
    ))
    .unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn json_has_the_issue_fields() {
    let out = run_cli(&args("s1 --policy naive --model presence --json")).unwrap();
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    for field in [
        "scenario",
        "model",
        "policy",
        "seed",
        "bandwidth_multiplier",
        "bytes_per_body_byte",
        "latency_p50",
        "latency_p90",
        "latency_max",
        "delivered_ratio",
        "epochs_to_converge",
    ] {
        assert!(row.get(field).is_some(), "missing {field}");
    }
    assert_eq!(row["scenario"], "s1");
    assert_eq!(row["model"], "presence");
    assert_eq!(row["policy"], "naive");
    assert_eq!(row["delivered_ratio"], 1.0);
}

#[test]
fn text_and_markdown_have_one_line_per_row() {
    let text = run_cli(&args("s1 --model presence")).unwrap();
    assert_eq!(text.lines().count(), 1 + Policy::ALL.len());
    let md = run_cli(&args("s1 --model presence --policy default --markdown")).unwrap();
    assert_eq!(md.lines().count(), 3);
    assert!(md.lines().all(|l| l.starts_with('|')));
}

#[test]
fn unknown_scenario_is_an_error() {
    let err = run_cli(&args("s9")).unwrap_err().to_string();
    assert!(err.contains("unknown scenario 's9'"), "{err}");
    assert!(Cli::try_parse_from(["sim", "s1", "--loss", "1.5"]).is_err());
}

/// Lossless 1:1 with a policy that waits a round trip before resending
/// (linear: 2, 4, 6 .. epochs) and ACKs once: one MESSAGE and one ACK per
/// message (x2), one epoch.
#[test]
fn lossless_batch_is_exactly_x2_and_one_epoch() {
    let o = run(&spec("s1", lossless(), Policy::Linear, Mode::Batch, 3)).unwrap();
    assert_eq!(o.deliveries.len(), 10);
    assert_eq!(o.records.message, 10);
    assert_eq!(o.records.ack, 10);
    assert_eq!(o.records.total(), 2 * o.deliveries_needed);
    assert!(o.deliveries.iter().all(|d| d.latency == 1));
}

/// Lossless interactive: OFFER, REQUEST, MESSAGE, ACK (x4), three hops.
#[test]
fn lossless_interactive_is_exactly_x4_and_three_epochs() {
    let o = run(&spec(
        "s1",
        lossless(),
        Policy::Linear,
        Mode::Interactive,
        3,
    ))
    .unwrap();
    assert_eq!(o.deliveries.len(), 10);
    let r = &o.records;
    assert_eq!((r.offer, r.request, r.message, r.ack), (10, 10, 10, 10));
    assert!(o.deliveries.iter().all(|d| d.latency == 3));
}

/// The default policy also waits a round trip (one MESSAGE each, one epoch)
/// but repeats its ACKs to a sender that fell silent: that is its price.
#[test]
fn lossless_default_sends_each_message_once() {
    let o = run(&spec("s1", lossless(), Policy::Default, Mode::Batch, 3)).unwrap();
    assert_eq!(o.records.message, 10);
    assert!(o.deliveries.iter().all(|d| d.latency == 1));
    assert!(o.records.ack > 10);
    assert!(o.records.ack <= 10 * 31);
}

/// Retransmitting before the ACK can be back (naive: every epoch) shows up
/// in the same count, so the test above can fail.
#[test]
fn naive_resends_before_the_round_trip() {
    let o = run(&spec("s1", lossless(), Policy::Naive, Mode::Batch, 3)).unwrap();
    assert_eq!(o.records.message, 20);
}

/// In a lossless group every message travels the shortest path: latency is
/// the hop distance, for every (message, recipient).
#[test]
fn lossless_group_latency_is_the_hop_distance() {
    let mut s = spec("s3", lossless(), Policy::Default, Mode::Batch, 5);
    s.size = Some(30);
    let setup = setup_of(&s);
    let o = run(&s).unwrap();
    assert_eq!(o.deliveries.len() as u64, o.deliveries_needed);
    assert_eq!(o.deliveries_needed, 30 * 5 * 29);
    let n = setup.nodes.len();
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in &setup.links {
        adj[a].push(b);
        adj[b].push(a);
    }
    let dist = |from: usize| {
        let mut d = vec![u64::MAX; n];
        d[from] = 0;
        let mut q = VecDeque::from([from]);
        while let Some(x) = q.pop_front() {
            for &y in &adj[x] {
                if d[y] == u64::MAX {
                    d[y] = d[x] + 1;
                    q.push_back(y);
                }
            }
        }
        d
    };
    let table: Vec<Vec<u64>> = (0..n).map(dist).collect();
    for d in &o.deliveries {
        assert_eq!(d.latency, table[d.sender][d.recipient], "{d:?}");
    }
    assert!(o.deliveries.iter().any(|d| d.latency > 1));
}

/// Every scenario, model and policy delivers every message, also with loss,
/// duplication and reordering, and then goes quiet.
#[test]
fn every_scenario_delivers_everything() {
    for scenario in SCENARIOS {
        for kind in ModelKind::ALL {
            for (policy, mode) in [
                (Policy::Default, Mode::Batch),
                (Policy::Naive, Mode::Interactive),
                (Policy::Linear, Mode::Batch),
                (Policy::Exponential, Mode::Batch),
            ] {
                let network = Network {
                    availability: 0.3,
                    window: 3,
                    loss: 0.1,
                    duplicate: 0.1,
                    reorder: 0.2,
                    ..Network::new(kind)
                };
                let mut s = spec(scenario.name, network, policy, mode, 11);
                s.size = Some(12);
                s.max_epochs = 100_000;
                let o = run(&s).unwrap();
                let what = format!("{} {:?} {:?} {:?}", scenario.name, kind, policy, mode);
                assert!(o.deliveries_needed > 0, "{what}");
                assert_eq!(o.deliveries.len() as u64, o.deliveries_needed, "{what}");
                assert!(o.epochs < s.max_epochs, "{what} never went quiet");
            }
        }
    }
}

#[test]
fn the_issue_parameters_deliver_everything() {
    for scenario in ["s1", "s2", "s2m"] {
        for kind in ModelKind::ALL {
            let o = run(&spec(
                scenario,
                Network::new(kind),
                Policy::Default,
                Mode::Batch,
                1,
            ))
            .unwrap();
            assert_eq!(
                o.deliveries.len() as u64,
                o.deliveries_needed,
                "{scenario} {kind:?}"
            );
        }
    }
}

#[test]
fn percentiles_are_nearest_rank() {
    let v: Vec<u64> = (1..=10).collect();
    assert_eq!(report::percentile(&v, 50), Some(5));
    assert_eq!(report::percentile(&v, 90), Some(9));
    assert_eq!(report::percentile(&v, 100), Some(10));
    assert_eq!(report::percentile(&[7], 90), Some(7));
    assert_eq!(report::percentile(&[], 50), None);
}

#[test]
fn uptime_is_a_function_of_the_seed() {
    let pattern = |seed| {
        let mut u = net::Uptime::new(stream(seed, UPTIME), 0.5, 4);
        (0..64).map(|e| u.online(e)).collect::<Vec<_>>()
    };
    assert_eq!(pattern(1), pattern(1));
    assert_ne!(pattern(1), pattern(2));
    // Windows: the state changes at most once every 4 epochs.
    let p = pattern(3);
    let changes: Vec<usize> = (1..p.len()).filter(|&e| p[e] != p[e - 1]).collect();
    assert!(
        changes
            .windows(2)
            .all(|w| w[1] - w[0] >= 4 && (w[1] - w[0]) % 4 == 0)
    );
}
