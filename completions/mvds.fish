# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mvds_global_optspecs
    string join \n store= h/help V/version
end

function __fish_mvds_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mvds_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mvds_using_subcommand
    set -l cmd (__fish_mvds_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mvds -n "__fish_mvds_needs_command" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mvds -n "__fish_mvds_needs_command" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "init" -d 'Create a new node: store and keys. Refuses to overwrite one'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "id" -d 'Print this node\'s contact, one line, to give to peers'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "peer" -d 'Trust peers and list them'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "group" -d 'Create, join and share groups'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "send" -d 'Send a message to a group; prints its id'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "tick" -d 'Advance the epoch (the node\'s logical clock), by N (default 1)'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "export" -d 'Write the payload due for a peer into a bundle file'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "import" -d 'Read bundles from peers and apply them'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "status" -d 'Show the epoch, peers, groups and pending records per peer'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "log" -d 'Show a group\'s delivered messages, in causal order'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "inspect" -d 'Show what a bundle holds, without importing it'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "demo" -d 'Run a complete exchange between throwaway nodes, printing each command'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "sim" -d 'Simulate the protocol over lossy, mostly-offline networks (seeded)'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "generate" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c mvds -n "__fish_mvds_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mvds -n "__fish_mvds_using_subcommand init" -l name -d 'A name for this node, shown in status and the demo [default: the store directory\'s name]' -r
complete -c mvds -n "__fish_mvds_using_subcommand init" -l mode -d 'How this node sends and forwards messages' -r -f -a "batch\t'Send the message at once; the peer acknowledges it (one trip)'
interactive\t'Offer, request, message, ack: never carries a body the peer has'"
complete -c mvds -n "__fish_mvds_using_subcommand init" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mvds -n "__fish_mvds_using_subcommand init" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand id" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand id" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand id" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and not __fish_seen_subcommand_from add list help" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand peer; and not __fish_seen_subcommand_from add list help" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and not __fish_seen_subcommand_from add list help" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and not __fish_seen_subcommand_from add list help" -f -a "add" -d 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and not __fish_seen_subcommand_from add list help" -f -a "list" -d 'List the trusted peers'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and not __fish_seen_subcommand_from add list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from add" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from list" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from list" -l json -d 'Print JSON (schema in docs/cli.md)'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from help" -f -a "add" -d 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the trusted peers'
complete -c mvds -n "__fish_mvds_using_subcommand peer; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mvds -n "__fish_mvds_using_subcommand group; and not __fish_seen_subcommand_from create join share help" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand group; and not __fish_seen_subcommand_from create join share help" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand group; and not __fish_seen_subcommand_from create join share help" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand group; and not __fish_seen_subcommand_from create join share help" -f -a "create" -d 'Create a group with a random id; prints the id (hex)'
complete -c mvds -n "__fish_mvds_using_subcommand group; and not __fish_seen_subcommand_from create join share help" -f -a "join" -d 'Join a group by its id (hex), under a local name'
complete -c mvds -n "__fish_mvds_using_subcommand group; and not __fish_seen_subcommand_from create join share help" -f -a "share" -d 'Sync this group with these peers'
complete -c mvds -n "__fish_mvds_using_subcommand group; and not __fish_seen_subcommand_from create join share help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from create" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from join" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from join" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from join" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from share" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from share" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from share" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a group with a random id; prints the id (hex)'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "join" -d 'Join a group by its id (hex), under a local name'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "share" -d 'Sync this group with these peers'
complete -c mvds -n "__fish_mvds_using_subcommand group; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mvds -n "__fish_mvds_using_subcommand send" -s f -l file -d 'Send the contents of a file' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand send" -l mode -d 'Override the node\'s mode for this message' -r -f -a "batch\t'Send the message at once; the peer acknowledges it (one trip)'
interactive\t'Offer, request, message, ack: never carries a body the peer has'"
complete -c mvds -n "__fish_mvds_using_subcommand send" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand send" -l ephemeral -d 'Send once, without acknowledgement or retransmission'
complete -c mvds -n "__fish_mvds_using_subcommand send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mvds -n "__fish_mvds_using_subcommand send" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand tick" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand tick" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand tick" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand export" -l to -d 'The peer (local name)' -r
complete -c mvds -n "__fish_mvds_using_subcommand export" -s o -l output -d 'Write the bundle to FILE (atomically); `-` writes to stdout' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand export" -l dir -d 'Write the bundle into DIR under a unique name (a USB stick, a shared folder)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand export" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand export" -l raw -d 'Write the bare protobuf payload: no signature, no encryption'
complete -c mvds -n "__fish_mvds_using_subcommand export" -l json -d 'Print a JSON summary (schema in docs/cli.md); on stderr with `-o -`'
complete -c mvds -n "__fish_mvds_using_subcommand export" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand export" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand import" -l dir -d 'Import every bundle in DIR addressed to this node; ignore the others' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand import" -l from -d 'The peer a raw payload comes from (local name)' -r
complete -c mvds -n "__fish_mvds_using_subcommand import" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand import" -l raw -d 'Read bare protobuf payloads (needs --from)'
complete -c mvds -n "__fish_mvds_using_subcommand import" -l json -d 'Print JSON (schema in docs/cli.md)'
complete -c mvds -n "__fish_mvds_using_subcommand import" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand import" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand status" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand status" -l json -d 'Print JSON (schema in docs/cli.md)'
complete -c mvds -n "__fish_mvds_using_subcommand status" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand status" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand log" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand log" -l json -d 'Print JSON (schema in docs/cli.md)'
complete -c mvds -n "__fish_mvds_using_subcommand log" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand log" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand inspect" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand inspect" -l raw -d 'The file is a bare protobuf payload'
complete -c mvds -n "__fish_mvds_using_subcommand inspect" -l json -d 'Print JSON (schema in docs/cli.md)'
complete -c mvds -n "__fish_mvds_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand demo" -l keep -d 'Keep the demo\'s nodes in DIR (must not exist) instead of a temporary directory' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand demo" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand demo" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand demo" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l seed -d 'First seed; the same seed gives the same output, byte for byte' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l policy -d 'Retransmission policy [default: all four, side by side]' -r -f -a "naive\t'Every due record every epoch; one ACK per MESSAGE (the spec\'s letter)'
linear\t'`2 * send_count` epochs between sends, as the Go simulation'
exponential\t'The engine\'s backoff as shipped: 1, 2, 4 .. 32 epochs, then 1 again'
default\t'Our answer to issue 4 for blind sends (see [`Policy::settings`])'
patient\t'For transports that only send to reachable peers (presence): a long first wait, since what is sent to a reachable peer arrives'"
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l model -d 'Network model [default: all three]' -r -f -a "availability\t'Nodes send blindly to every peer while online; a payload sent to a peer that is offline in that epoch is lost'
presence\t'Like availability, but a node only sends to peers that are online in this epoch (what a connection-oriented transport tells it)'
sneakernet\t'Bundles: a node exports while online; each bundle is lost with probability `carry_loss` or arrives after 1..=`carry_delay` epochs and waits there until the receiver is online to import it'"
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l mode -d 'Batch (MESSAGE, ACK) or interactive (OFFER, REQUEST, MESSAGE, ACK)' -r -f -a "batch\t''
interactive\t''"
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l runs -d 'Seeds to run (seed, seed+1, ...); figures pool all of them' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l nodes -d 'Group size, for scenarios that take one (s3)' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l availability -d 'Probability that a node is online in a window' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l window -d 'Online/offline window length in epochs (1: a new draw every epoch)' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l loss -d 'Probability that a payload is lost in transit (every model)' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l duplicate -d 'Probability that a payload arrives twice (every model)' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l reorder -d 'Probability that a payload is held back 1-2 epochs (every model)' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l carry-delay -d 'Sneakernet: most epochs a bundle is carried' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l carry-loss -d 'Sneakernet: probability that a bundle is lost' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l max-epochs -d 'Stop a run after this many epochs even if messages are in flight' -r
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l json -d 'One JSON array of result objects'
complete -c mvds -n "__fish_mvds_using_subcommand sim" -l markdown -d 'A markdown table (with `all`: the whole docs/simulations.md)'
complete -c mvds -n "__fish_mvds_using_subcommand sim" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mvds -n "__fish_mvds_using_subcommand sim" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand generate" -l store -d 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)' -r -F
complete -c mvds -n "__fish_mvds_using_subcommand generate" -s h -l help -d 'Print help'
complete -c mvds -n "__fish_mvds_using_subcommand generate" -s V -l version -d 'Print version'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "init" -d 'Create a new node: store and keys. Refuses to overwrite one'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "id" -d 'Print this node\'s contact, one line, to give to peers'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "peer" -d 'Trust peers and list them'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "group" -d 'Create, join and share groups'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "send" -d 'Send a message to a group; prints its id'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "tick" -d 'Advance the epoch (the node\'s logical clock), by N (default 1)'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "export" -d 'Write the payload due for a peer into a bundle file'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "import" -d 'Read bundles from peers and apply them'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "status" -d 'Show the epoch, peers, groups and pending records per peer'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "log" -d 'Show a group\'s delivered messages, in causal order'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "inspect" -d 'Show what a bundle holds, without importing it'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "demo" -d 'Run a complete exchange between throwaway nodes, printing each command'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "sim" -d 'Simulate the protocol over lossy, mostly-offline networks (seeded)'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "generate" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c mvds -n "__fish_mvds_using_subcommand help; and not __fish_seen_subcommand_from init id peer group send tick export import status log inspect demo sim generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mvds -n "__fish_mvds_using_subcommand help; and __fish_seen_subcommand_from peer" -f -a "add" -d 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)'
complete -c mvds -n "__fish_mvds_using_subcommand help; and __fish_seen_subcommand_from peer" -f -a "list" -d 'List the trusted peers'
complete -c mvds -n "__fish_mvds_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "create" -d 'Create a group with a random id; prints the id (hex)'
complete -c mvds -n "__fish_mvds_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "join" -d 'Join a group by its id (hex), under a local name'
complete -c mvds -n "__fish_mvds_using_subcommand help; and __fish_seen_subcommand_from group" -f -a "share" -d 'Sync this group with these peers'
