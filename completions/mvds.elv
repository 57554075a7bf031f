
use builtin;
use str;

set edit:completion:arg-completer[mvds] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mvds'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mvds'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create a new node: store and keys. Refuses to overwrite one'
            cand id 'Print this node''s contact, one line, to give to peers'
            cand peer 'Trust peers and list them'
            cand group 'Create, join and share groups'
            cand send 'Send a message to a group; prints its id'
            cand tick 'Advance the epoch (the node''s logical clock), by N (default 1)'
            cand export 'Write the payload due for a peer into a bundle file'
            cand import 'Read bundles from peers and apply them'
            cand status 'Show the epoch, peers, groups and pending records per peer'
            cand log 'Show a group''s delivered messages, in causal order'
            cand inspect 'Show what a bundle holds, without importing it'
            cand demo 'Run a complete exchange between throwaway nodes, printing each command'
            cand sim 'Simulate the protocol over lossy, mostly-offline networks (seeded)'
            cand generate 'Write shell completions and man pages (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mvds;init'= {
            cand --name 'A name for this node, shown in status and the demo [default: the store directory''s name]'
            cand --mode 'How this node sends and forwards messages'
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;id'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;peer'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)'
            cand list 'List the trusted peers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mvds;peer;add'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;peer;list'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --json 'Print JSON (schema in docs/cli.md)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;peer;help'= {
            cand add 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)'
            cand list 'List the trusted peers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mvds;peer;help;add'= {
        }
        &'mvds;peer;help;list'= {
        }
        &'mvds;peer;help;help'= {
        }
        &'mvds;group'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a group with a random id; prints the id (hex)'
            cand join 'Join a group by its id (hex), under a local name'
            cand share 'Sync this group with these peers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mvds;group;create'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;group;join'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;group;share'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;group;help'= {
            cand create 'Create a group with a random id; prints the id (hex)'
            cand join 'Join a group by its id (hex), under a local name'
            cand share 'Sync this group with these peers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mvds;group;help;create'= {
        }
        &'mvds;group;help;join'= {
        }
        &'mvds;group;help;share'= {
        }
        &'mvds;group;help;help'= {
        }
        &'mvds;send'= {
            cand -f 'Send the contents of a file'
            cand --file 'Send the contents of a file'
            cand --mode 'Override the node''s mode for this message'
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --ephemeral 'Send once, without acknowledgement or retransmission'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;tick'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;export'= {
            cand --to 'The peer (local name)'
            cand -o 'Write the bundle to FILE (atomically); `-` writes to stdout'
            cand --output 'Write the bundle to FILE (atomically); `-` writes to stdout'
            cand --dir 'Write the bundle into DIR under a unique name (a USB stick, a shared folder)'
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --raw 'Write the bare protobuf payload: no signature, no encryption'
            cand --json 'Print a JSON summary (schema in docs/cli.md); on stderr with `-o -`'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;import'= {
            cand --dir 'Import every bundle in DIR addressed to this node; ignore the others'
            cand --from 'The peer a raw payload comes from (local name)'
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --raw 'Read bare protobuf payloads (needs --from)'
            cand --json 'Print JSON (schema in docs/cli.md)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;status'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --json 'Print JSON (schema in docs/cli.md)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;log'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --json 'Print JSON (schema in docs/cli.md)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;inspect'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --raw 'The file is a bare protobuf payload'
            cand --json 'Print JSON (schema in docs/cli.md)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;demo'= {
            cand --keep 'Keep the demo''s nodes in DIR (must not exist) instead of a temporary directory'
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;sim'= {
            cand --seed 'First seed; the same seed gives the same output, byte for byte'
            cand --policy 'Retransmission policy [default: all of them, side by side]'
            cand --model 'Network model [default: all three]'
            cand --mode 'Batch (MESSAGE, ACK) or interactive (OFFER, REQUEST, MESSAGE, ACK)'
            cand --runs 'Seeds to run (seed, seed+1, ...); figures pool all of them'
            cand --nodes 'Group size, for scenarios that take one (s3)'
            cand --availability 'Probability that a node is online in a window'
            cand --window 'Online/offline window length in epochs (1: a new draw every epoch)'
            cand --loss 'Probability that a payload is lost in transit (every model)'
            cand --duplicate 'Probability that a payload arrives twice (every model)'
            cand --reorder 'Probability that a payload is held back 1-2 epochs (every model)'
            cand --carry-delay 'Sneakernet: most epochs a bundle is carried'
            cand --carry-loss 'Sneakernet: probability that a bundle is lost'
            cand --max-epochs 'Stop a run after this many epochs even if messages are in flight'
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand --json 'One JSON array of result objects'
            cand --markdown 'A markdown table (with `all`: the whole docs/simulations.md)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;generate'= {
            cand --store 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mvds;help'= {
            cand init 'Create a new node: store and keys. Refuses to overwrite one'
            cand id 'Print this node''s contact, one line, to give to peers'
            cand peer 'Trust peers and list them'
            cand group 'Create, join and share groups'
            cand send 'Send a message to a group; prints its id'
            cand tick 'Advance the epoch (the node''s logical clock), by N (default 1)'
            cand export 'Write the payload due for a peer into a bundle file'
            cand import 'Read bundles from peers and apply them'
            cand status 'Show the epoch, peers, groups and pending records per peer'
            cand log 'Show a group''s delivered messages, in causal order'
            cand inspect 'Show what a bundle holds, without importing it'
            cand demo 'Run a complete exchange between throwaway nodes, printing each command'
            cand sim 'Simulate the protocol over lossy, mostly-offline networks (seeded)'
            cand generate 'Write shell completions and man pages (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mvds;help;init'= {
        }
        &'mvds;help;id'= {
        }
        &'mvds;help;peer'= {
            cand add 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)'
            cand list 'List the trusted peers'
        }
        &'mvds;help;peer;add'= {
        }
        &'mvds;help;peer;list'= {
        }
        &'mvds;help;group'= {
            cand create 'Create a group with a random id; prints the id (hex)'
            cand join 'Join a group by its id (hex), under a local name'
            cand share 'Sync this group with these peers'
        }
        &'mvds;help;group;create'= {
        }
        &'mvds;help;group;join'= {
        }
        &'mvds;help;group;share'= {
        }
        &'mvds;help;send'= {
        }
        &'mvds;help;tick'= {
        }
        &'mvds;help;export'= {
        }
        &'mvds;help;import'= {
        }
        &'mvds;help;status'= {
        }
        &'mvds;help;log'= {
        }
        &'mvds;help;inspect'= {
        }
        &'mvds;help;demo'= {
        }
        &'mvds;help;sim'= {
        }
        &'mvds;help;generate'= {
        }
        &'mvds;help;help'= {
        }
    ]
    $completions[$command]
}
