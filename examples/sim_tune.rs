use mvds::engine::{Backoff, Mode, Settings};
use mvds::sim::report::RowKey;
use mvds::sim::{ModelKind, Network, Report, RunSpec, SCENARIOS};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let base: u64 = a[1].parse().unwrap();
    let max: u64 = a[2].parse().unwrap();
    let acks: u32 = a[3].parse().unwrap();
    let hasten = a[4] == "1";
    let window: u64 = a[5].parse().unwrap();
    let settle = a[6] == "1";
    let scen: usize = a.get(7).map_or(0, |s| s.parse().unwrap());
    for kind in [
        ModelKind::Availability,
        ModelKind::Presence,
        ModelKind::Sneakernet,
    ] {
        let network = Network {
            window,
            ..Network::new(kind)
        };
        let settings = Settings {
            mode: Mode::Batch,
            backoff: Backoff { base, max },
            ack_repeats: acks,
            hasten_on_contact: hasten,
            settle_acks_on_contact: settle,
            ..Settings::default()
        };
        let outs: Vec<_> = (1..=40)
            .map(|seed| {
                mvds::sim::run(&RunSpec {
                    scenario: &SCENARIOS[scen],
                    size: None,
                    network: network.clone(),
                    settings: settings.clone(),
                    seed,
                    max_epochs: 1_000_000,
                })
                .unwrap()
            })
            .collect();
        let r = Report::new(
            RowKey {
                scenario: "s1".into(),
                nodes: 2,
                model: String::new(),
                network: network.label(),
                policy: String::new(),
                mode: String::new(),
                seed: 1,
            },
            &outs,
        );
        println!(
            "{:40} x{:.1} p50 {:?} p90 {:?} max {:?} acks {} msgs {}",
            r.network,
            r.bandwidth_multiplier,
            r.latency_p50,
            r.latency_p90,
            r.latency_max,
            r.records.ack,
            r.records.message
        );
    }
}
