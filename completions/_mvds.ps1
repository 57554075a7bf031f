
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mvds' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mvds'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mvds' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a new node: store and keys. Refuses to overwrite one')
            [CompletionResult]::new('id', 'id', [CompletionResultType]::ParameterValue, 'Print this node''s contact, one line, to give to peers')
            [CompletionResult]::new('peer', 'peer', [CompletionResultType]::ParameterValue, 'Trust peers and list them')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Create, join and share groups')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a message to a group; prints its id')
            [CompletionResult]::new('tick', 'tick', [CompletionResultType]::ParameterValue, 'Advance the epoch (the node''s logical clock), by N (default 1)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the payload due for a peer into a bundle file')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Read bundles from peers and apply them')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the epoch, peers, groups and pending records per peer')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show a group''s delivered messages, in causal order')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show what a bundle holds, without importing it')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run a complete exchange between throwaway nodes, printing each command')
            [CompletionResult]::new('sim', 'sim', [CompletionResultType]::ParameterValue, 'Simulate the protocol over lossy, mostly-offline networks (seeded)')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mvds;init' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for this node, shown in status and the demo [default: the store directory''s name]')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'How this node sends and forwards messages')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;id' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;peer' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the trusted peers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mvds;peer;add' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;peer;list' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (schema in docs/cli.md)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;peer;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the trusted peers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mvds;peer;help;add' {
            break
        }
        'mvds;peer;help;list' {
            break
        }
        'mvds;peer;help;help' {
            break
        }
        'mvds;group' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a group with a random id; prints the id (hex)')
            [CompletionResult]::new('join', 'join', [CompletionResultType]::ParameterValue, 'Join a group by its id (hex), under a local name')
            [CompletionResult]::new('share', 'share', [CompletionResultType]::ParameterValue, 'Sync this group with these peers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mvds;group;create' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;group;join' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;group;share' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;group;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a group with a random id; prints the id (hex)')
            [CompletionResult]::new('join', 'join', [CompletionResultType]::ParameterValue, 'Join a group by its id (hex), under a local name')
            [CompletionResult]::new('share', 'share', [CompletionResultType]::ParameterValue, 'Sync this group with these peers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mvds;group;help;create' {
            break
        }
        'mvds;group;help;join' {
            break
        }
        'mvds;group;help;share' {
            break
        }
        'mvds;group;help;help' {
            break
        }
        'mvds;send' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Send the contents of a file')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send the contents of a file')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Override the node''s mode for this message')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--ephemeral', '--ephemeral', [CompletionResultType]::ParameterName, 'Send once, without acknowledgement or retransmission')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;tick' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;export' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The peer (local name)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the bundle to FILE (atomically); `-` writes to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the bundle to FILE (atomically); `-` writes to stdout')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the bundle into DIR under a unique name (a USB stick, a shared folder)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Write the bare protobuf payload: no signature, no encryption')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON summary (schema in docs/cli.md); on stderr with `-o -`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;import' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Import every bundle in DIR addressed to this node; ignore the others')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The peer a raw payload comes from (local name)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Read bare protobuf payloads (needs --from)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (schema in docs/cli.md)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;status' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (schema in docs/cli.md)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;log' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (schema in docs/cli.md)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;inspect' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'The file is a bare protobuf payload')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (schema in docs/cli.md)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;demo' {
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep the demo''s nodes in DIR (must not exist) instead of a temporary directory')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;sim' {
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'First seed; the same seed gives the same output, byte for byte')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Retransmission policy [default: all of them, side by side]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Network model [default: all three]')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Batch (MESSAGE, ACK) or interactive (OFFER, REQUEST, MESSAGE, ACK)')
            [CompletionResult]::new('--runs', '--runs', [CompletionResultType]::ParameterName, 'Seeds to run (seed, seed+1, ...); figures pool all of them')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'Group size, for scenarios that take one (s3)')
            [CompletionResult]::new('--availability', '--availability', [CompletionResultType]::ParameterName, 'Probability that a node is online in a window')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Online/offline window length in epochs (1: a new draw every epoch)')
            [CompletionResult]::new('--loss', '--loss', [CompletionResultType]::ParameterName, 'Probability that a payload is lost in transit (every model)')
            [CompletionResult]::new('--duplicate', '--duplicate', [CompletionResultType]::ParameterName, 'Probability that a payload arrives twice (every model)')
            [CompletionResult]::new('--reorder', '--reorder', [CompletionResultType]::ParameterName, 'Probability that a payload is held back 1-2 epochs (every model)')
            [CompletionResult]::new('--carry-delay', '--carry-delay', [CompletionResultType]::ParameterName, 'Sneakernet: most epochs a bundle is carried')
            [CompletionResult]::new('--carry-loss', '--carry-loss', [CompletionResultType]::ParameterName, 'Sneakernet: probability that a bundle is lost')
            [CompletionResult]::new('--max-epochs', '--max-epochs', [CompletionResultType]::ParameterName, 'Stop a run after this many epochs even if messages are in flight')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON array of result objects')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'A markdown table (with `all`: the whole docs/simulations.md)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;generate' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The node directory (store and keys). Default: $MVDS_HOME, else the platform data directory (for example ~/.local/share/mvds)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mvds;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a new node: store and keys. Refuses to overwrite one')
            [CompletionResult]::new('id', 'id', [CompletionResultType]::ParameterValue, 'Print this node''s contact, one line, to give to peers')
            [CompletionResult]::new('peer', 'peer', [CompletionResultType]::ParameterValue, 'Trust peers and list them')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Create, join and share groups')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a message to a group; prints its id')
            [CompletionResult]::new('tick', 'tick', [CompletionResultType]::ParameterValue, 'Advance the epoch (the node''s logical clock), by N (default 1)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the payload due for a peer into a bundle file')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Read bundles from peers and apply them')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the epoch, peers, groups and pending records per peer')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show a group''s delivered messages, in causal order')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show what a bundle holds, without importing it')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run a complete exchange between throwaway nodes, printing each command')
            [CompletionResult]::new('sim', 'sim', [CompletionResultType]::ParameterValue, 'Simulate the protocol over lossy, mostly-offline networks (seeded)')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mvds;help;init' {
            break
        }
        'mvds;help;id' {
            break
        }
        'mvds;help;peer' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Trust a peer under a local name (CONTACT is what `mvds id` prints there)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the trusted peers')
            break
        }
        'mvds;help;peer;add' {
            break
        }
        'mvds;help;peer;list' {
            break
        }
        'mvds;help;group' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a group with a random id; prints the id (hex)')
            [CompletionResult]::new('join', 'join', [CompletionResultType]::ParameterValue, 'Join a group by its id (hex), under a local name')
            [CompletionResult]::new('share', 'share', [CompletionResultType]::ParameterValue, 'Sync this group with these peers')
            break
        }
        'mvds;help;group;create' {
            break
        }
        'mvds;help;group;join' {
            break
        }
        'mvds;help;group;share' {
            break
        }
        'mvds;help;send' {
            break
        }
        'mvds;help;tick' {
            break
        }
        'mvds;help;export' {
            break
        }
        'mvds;help;import' {
            break
        }
        'mvds;help;status' {
            break
        }
        'mvds;help;log' {
            break
        }
        'mvds;help;inspect' {
            break
        }
        'mvds;help;demo' {
            break
        }
        'mvds;help;sim' {
            break
        }
        'mvds;help;generate' {
            break
        }
        'mvds;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
