
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'filka' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'filka'
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
        'filka' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a cluster: broker folders and the controller quorum''s metadata log')
            [CompletionResult]::new('topic', 'topic', [CompletionResultType]::ParameterValue, 'Create, list, describe, alter and delete topics')
            [CompletionResult]::new('produce', 'produce', [CompletionResultType]::ParameterValue, 'Produce records to a topic from stdin (or a file), one record per line')
            [CompletionResult]::new('consume', 'consume', [CompletionResultType]::ParameterValue, 'Write a topic''s records to stdout, like `kcat -C`')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Consumer groups: members, committed offsets and lag (kafka-consumer-groups.sh)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'The local schema registry: subjects, versions, ids and compatibility modes')
            [CompletionResult]::new('transactions', 'transactions', [CompletionResultType]::ParameterValue, 'Transactions: their state in __transaction_state, producers of a partition, aborting (kafka-transactions.sh)')
            [CompletionResult]::new('pipe', 'pipe', [CompletionResultType]::ParameterValue, 'Run a command on each batch of a topic''s records, writing its output to another topic exactly once (consume-transform-produce in one transaction per batch)')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show brokers, topics, partitions, replicas, the metadata history and the controller quorum')
            [CompletionResult]::new('simulate-failure', 'simulate-failure', [CompletionResultType]::ParameterValue, 'Make brokers fail in the ways Kafka brokers fail, and see how the cluster copes')
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Print the contents of Kafka segment, index, snapshot and checkpoint files')
            [CompletionResult]::new('mirror', 'mirror', [CompletionResultType]::ParameterValue, 'Mirror topics to or from a real Kafka cluster')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Play the seed''s example on a fresh cluster, running each command it prints')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            break
        }
        'filka;init' {
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Number of brokers (1 to 1000)')
            [CompletionResult]::new('--first-id', '--first-id', [CompletionResultType]::ParameterName, 'Id of the first broker; the others follow in order (Kafka''s node.id)')
            [CompletionResult]::new('--controllers', '--controllers', [CompletionResultType]::ParameterName, 'How many of the brokers (the first ones) are also controllers, voters of the KRaft quorum; a change needs a majority of them running. Default: the largest odd number up to 5 and the broker count')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A cluster-wide config default, KEY=VALUE (repeat for more): replica.lag.time.max.ms or flush.messages. A topic''s own --config overrides it')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A cluster-wide config default, KEY=VALUE (repeat for more): replica.lag.time.max.ms or flush.messages. A topic''s own --config overrides it')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--isolated', '--isolated', [CompletionResultType]::ParameterName, 'The controllers are nodes of their own (Kafka''s isolated mode, process.roles=controller): folders controller-<id>, ids 1 to N (or after the last broker''s when those are taken), each with its copy of the metadata log. Brokers then go down without touching the quorum. Default count with it: 3')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;topic' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a topic and its replicas'' folders, spreading leaders and followers over the brokers as Kafka does')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List topic names, one per line')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'One topic: a row per partition, then every config with its value and source')
            [CompletionResult]::new('alter', 'alter', [CompletionResultType]::ParameterValue, 'Add partitions to a topic or set its config overrides')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete topics: their metadata first, then every replica''s folder')
            [CompletionResult]::new('elect-leaders', 'elect-leaders', [CompletionResultType]::ParameterValue, 'Preferred leader election: move leadership back to each partition''s first replica')
            [CompletionResult]::new('partition-for', 'partition-for', [CompletionResultType]::ParameterValue, 'Which partition a key goes to, as Kafka''s default partitioner computes it; writes nothing')
            break
        }
        'filka;topic;create' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Number of partitions [default: 3]')
            [CompletionResult]::new('--partitions', '--partitions', [CompletionResultType]::ParameterName, 'Number of partitions [default: 3]')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Replicas of each partition, on distinct brokers [default: 3, or the number of online brokers if fewer]')
            [CompletionResult]::new('--replication-factor', '--replication-factor', [CompletionResultType]::ParameterName, 'Replicas of each partition, on distinct brokers [default: 3, or the number of online brokers if fewer]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A topic config override, KEY=VALUE (repeat for more). Known keys: retention.ms, retention.bytes, segment.bytes, segment.ms, min.insync.replicas, compression.type, cleanup.policy, unclean.leader.election.enable, message.timestamp.type, max.message.bytes (at most 16777216: filka reads no batch larger than 16 MiB), and others (`filka describe topic NAME` lists them all)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A topic config override, KEY=VALUE (repeat for more). Known keys: retention.ms, retention.bytes, segment.bytes, segment.ms, min.insync.replicas, compression.type, cleanup.policy, unclean.leader.election.enable, message.timestamp.type, max.message.bytes (at most 16777216: filka reads no batch larger than 16 MiB), and others (`filka describe topic NAME` lists them all)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--if-not-exists', '--if-not-exists', [CompletionResultType]::ParameterName, 'Succeed without changing anything when the topic already exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;topic;list' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Include internal topics (names starting with ''__'')')
            [CompletionResult]::new('--internal', '--internal', [CompletionResultType]::ParameterName, 'Include internal topics (names starting with ''__'')')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;topic;describe' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;topic;alter' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The new total number of partitions (at least the current count)')
            [CompletionResult]::new('--partitions', '--partitions', [CompletionResultType]::ParameterName, 'The new total number of partitions (at least the current count)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A config override to set, KEY=VALUE (repeat for more); the keys of `topic create --config` (max.message.bytes at most 16777216, 16 MiB)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A config override to set, KEY=VALUE (repeat for more); the keys of `topic create --config` (max.message.bytes at most 16777216, 16 MiB)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;topic;delete' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--if-exists', '--if-exists', [CompletionResultType]::ParameterName, 'Succeed when a topic does not exist')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;topic;elect-leaders' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;topic;partition-for' {
            [CompletionResult]::new('--key-format', '--key-format', [CompletionResultType]::ParameterName, 'The key''s format: bytes (as it is), string, base64, hex, int, long, double or json')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;produce' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The topic to write to')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'The topic to write to')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Read records from FILE instead of stdin ("-" is stdin)')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'How each input line is read')
            [CompletionResult]::new('-K', '-K ', [CompletionResultType]::ParameterName, 'Split each line into key and value at the first SEP')
            [CompletionResult]::new('--key-separator', '--key-separator', [CompletionResultType]::ParameterName, 'Split each line into key and value at the first SEP')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'The key of every record (with -K: of the lines without a separator)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The key of every record (with -K: of the lines without a separator)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header to every record (repeat for more)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header to every record (repeat for more)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Write every record to partition N instead of letting the partitioner choose')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Write every record to partition N instead of letting the partitioner choose')
            [CompletionResult]::new('--null-value', '--null-value', [CompletionResultType]::ParameterName, 'Produce a value equal to MARKER as a null value (a tombstone)')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Uncompressed bytes per partition batch before it is written (Kafka''s batch.size)')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Compression codec of the batches [default: the topic''s compression.type]')
            [CompletionResult]::new('--compression', '--compression', [CompletionResultType]::ParameterName, 'Compression codec of the batches [default: the topic''s compression.type]')
            [CompletionResult]::new('--acks', '--acks', [CompletionResultType]::ParameterName, 'Wait for no replica (0), the leader (1) or every in-sync replica (all)')
            [CompletionResult]::new('--delivery-timeout-ms', '--delivery-timeout-ms', [CompletionResultType]::ParameterName, 'How long records wait for an offline partition to get a leader again, as Kafka''s delivery.timeout.ms; then produce stops with exit code 7, every record before them written (whatever the acks: with no leader there is no broker to send to)')
            [CompletionResult]::new('--transactional-id', '--transactional-id', [CompletionResultType]::ParameterName, 'Produce in transactions under this transactional id: read_committed consumers see the records only once their transaction commits')
            [CompletionResult]::new('--transaction-records', '--transaction-records', [CompletionResultType]::ParameterName, 'With --transactional-id: commit every N records (and at the end of the input)')
            [CompletionResult]::new('--transaction-timeout-ms', '--transaction-timeout-ms', [CompletionResultType]::ParameterName, 'With --transactional-id: a transaction open longer than this is aborted by the next process that needs it (Kafka''s transaction.timeout.ms)')
            [CompletionResult]::new('--key-field', '--key-field', [CompletionResultType]::ParameterName, 'Take each record''s key from this field of the input (json, csv)')
            [CompletionResult]::new('--key-format', '--key-format', [CompletionResultType]::ParameterName, 'The keys'' format [default: bytes, or what a key schema implies]')
            [CompletionResult]::new('--value-format', '--value-format', [CompletionResultType]::ParameterName, 'The values'' format [default: bytes, or what a value schema implies]')
            [CompletionResult]::new('--value-schema', '--value-schema', [CompletionResultType]::ParameterName, 'The values'' Avro schema (.avsc); implies --value-format avro')
            [CompletionResult]::new('--key-schema', '--key-schema', [CompletionResultType]::ParameterName, 'The keys'' Avro schema (.avsc); implies --key-format avro')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'The values'' .proto file, compiled at run time (no protoc needed); implies --value-format protobuf')
            [CompletionResult]::new('--key-proto', '--key-proto', [CompletionResultType]::ParameterName, 'The keys'' .proto file; implies --key-format protobuf')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'A directory to search for imported .proto files (repeatable), like protoc''s -I')
            [CompletionResult]::new('--proto-path', '--proto-path', [CompletionResultType]::ParameterName, 'A directory to search for imported .proto files (repeatable), like protoc''s -I')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The values'' message type (e.g. io.filka.trucks.TruckPosition) [default: the file''s first message]')
            [CompletionResult]::new('--key-message', '--key-message', [CompletionResultType]::ParameterName, 'The keys'' message type [default: the key file''s first message]')
            [CompletionResult]::new('--descriptor-set', '--descriptor-set', [CompletionResultType]::ParameterName, 'The values'' types as a FileDescriptorSet (protoc --descriptor_set_out) instead of --proto; implies --value-format protobuf')
            [CompletionResult]::new('--key-descriptor-set', '--key-descriptor-set', [CompletionResultType]::ParameterName, 'The keys'' types as a FileDescriptorSet instead of --key-proto')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--no-create', '--no-create', [CompletionResultType]::ParameterName, 'Fail with exit code 4 when the topic does not exist, instead of creating it')
            [CompletionResult]::new('--print-offsets', '--print-offsets', [CompletionResultType]::ParameterName, 'Print "partition<TAB>offset" for each record once it is acknowledged, in input order (offset -1 with --acks 0: not known)')
            [CompletionResult]::new('--skip-invalid', '--skip-invalid', [CompletionResultType]::ParameterName, 'Report malformed lines on stderr and go on, instead of stopping with exit code 5')
            [CompletionResult]::new('--no-idempotence', '--no-idempotence', [CompletionResultType]::ParameterName, 'Do not number batches with a producer id and sequences (Kafka''s enable.idempotence=false). Idempotence is on by default with --acks all, so a retry whose acknowledgement was lost is never written twice')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'Use the cluster''s schema registry and Confluent''s wire format')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;consume' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The topic to read (it must exist: consume never creates topics)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'The topic to read (it must exist: consume never creates topics)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Partitions to read, comma-separated and/or repeated (-p 0,2 -p 5); all by default')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Partitions to read, comma-separated and/or repeated (-p 0,2 -p 5); all by default')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to start in each partition')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start in each partition')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after N records in all (across partitions), then exit 0')
            [CompletionResult]::new('--max-messages', '--max-messages', [CompletionResultType]::ParameterName, 'Stop after N records in all (across partitions), then exit 0')
            [CompletionResult]::new('--timeout-ms', '--timeout-ms', [CompletionResultType]::ParameterName, 'Wait for records as -f does, but give up once none arrived for MS milliseconds: what was read is written out, then exit 8 (Timeout), as Kafka''s console consumer''s --timeout-ms ends it')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to print each record (kcat''s -f)')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'Consume as a member of consumer group GROUP (see `filka group`)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Consume as a member of consumer group GROUP (see `filka group`)')
            [CompletionResult]::new('--commit', '--commit', [CompletionResultType]::ParameterName, 'When offsets are committed (with --group)')
            [CompletionResult]::new('--assignor', '--assignor', [CompletionResultType]::ParameterName, 'How partitions are shared among the members (with --group)')
            [CompletionResult]::new('--session-timeout-ms', '--session-timeout-ms', [CompletionResultType]::ParameterName, 'A member silent (e.g. stopped) this long is removed from the group (with --group)')
            [CompletionResult]::new('--auto-commit-interval-ms', '--auto-commit-interval-ms', [CompletionResultType]::ParameterName, 'How often --commit auto commits (with --group)')
            [CompletionResult]::new('--key-format', '--key-format', [CompletionResultType]::ParameterName, 'The keys'' format [default: bytes, or what a key schema implies]')
            [CompletionResult]::new('--value-format', '--value-format', [CompletionResultType]::ParameterName, 'The values'' format [default: bytes, or what a value schema implies]')
            [CompletionResult]::new('--value-schema', '--value-schema', [CompletionResultType]::ParameterName, 'The values'' Avro schema (.avsc); implies --value-format avro')
            [CompletionResult]::new('--key-schema', '--key-schema', [CompletionResultType]::ParameterName, 'The keys'' Avro schema (.avsc); implies --key-format avro')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'The values'' .proto file, compiled at run time (no protoc needed); implies --value-format protobuf')
            [CompletionResult]::new('--key-proto', '--key-proto', [CompletionResultType]::ParameterName, 'The keys'' .proto file; implies --key-format protobuf')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'A directory to search for imported .proto files (repeatable), like protoc''s -I')
            [CompletionResult]::new('--proto-path', '--proto-path', [CompletionResultType]::ParameterName, 'A directory to search for imported .proto files (repeatable), like protoc''s -I')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The values'' message type (e.g. io.filka.trucks.TruckPosition) [default: the file''s first message]')
            [CompletionResult]::new('--key-message', '--key-message', [CompletionResultType]::ParameterName, 'The keys'' message type [default: the key file''s first message]')
            [CompletionResult]::new('--descriptor-set', '--descriptor-set', [CompletionResultType]::ParameterName, 'The values'' types as a FileDescriptorSet (protoc --descriptor_set_out) instead of --proto; implies --value-format protobuf')
            [CompletionResult]::new('--key-descriptor-set', '--key-descriptor-set', [CompletionResultType]::ParameterName, 'The keys'' types as a FileDescriptorSet instead of --key-proto')
            [CompletionResult]::new('--reader-schema', '--reader-schema', [CompletionResultType]::ParameterName, 'Read Avro values with this schema (Avro schema resolution: defaults for new fields, removed fields dropped, promotions), e.g. a newer version than the writer''s')
            [CompletionResult]::new('--isolation', '--isolation', [CompletionResultType]::ParameterName, 'Which records to read (Kafka''s isolation.level)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep waiting for new records after reaching the end, until killed (or -c is reached)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep waiting for new records after reaching the end, until killed (or -c is reached)')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'Use the cluster''s schema registry and Confluent''s wire format')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;group' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every group and its state')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Where a group stands on each partition: committed offset, log end, lag, owner')
            [CompletionResult]::new('commit', 'commit', [CompletionResultType]::ParameterValue, 'Commit an offset for a group (a script that tracks its own progress)')
            [CompletionResult]::new('reset-offsets', 'reset-offsets', [CompletionResultType]::ParameterValue, 'Move a group''s committed offsets (dry run unless --execute)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a group: its committed offsets and its folder')
            [CompletionResult]::new('delete-offsets', 'delete-offsets', [CompletionResultType]::ParameterValue, 'Delete a group''s committed offsets for a topic')
            break
        }
        'filka;group;list' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;group;describe' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--members', '--members', [CompletionResultType]::ParameterName, 'One row per member instead (CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The group''s state instead (ASSIGNMENT-STRATEGY STATE GENERATION #MEMBERS)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;group;commit' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Topic')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Partition')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Partition')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The next offset to read')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'The next offset to read')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;group;reset-offsets' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Topics to reset (repeatable); default: every topic the group has offsets for')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topics to reset (repeatable); default: every topic the group has offsets for')
            [CompletionResult]::new('--to-offset', '--to-offset', [CompletionResultType]::ParameterName, 'To offset N')
            [CompletionResult]::new('--shift-by', '--shift-by', [CompletionResultType]::ParameterName, 'By N from the committed offset (negative goes back)')
            [CompletionResult]::new('--to-datetime', '--to-datetime', [CompletionResultType]::ParameterName, 'To the first record at or after TIME (RFC 3339, a date, or epoch ms)')
            [CompletionResult]::new('--by-duration', '--by-duration', [CompletionResultType]::ParameterName, 'To the first record at or after now minus DURATION (30m, 1h, PT1H30M)')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'From a CSV plan of topic,partition,offset lines (what --export prints)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--to-earliest', '--to-earliest', [CompletionResultType]::ParameterName, 'To the log start offset')
            [CompletionResult]::new('--to-latest', '--to-latest', [CompletionResultType]::ParameterName, 'To the high watermark')
            [CompletionResult]::new('--to-current', '--to-current', [CompletionResultType]::ParameterName, 'To the committed offset (no change; useful with --export)')
            [CompletionResult]::new('--execute', '--execute', [CompletionResultType]::ParameterName, 'Apply the plan (without it, only print it)')
            [CompletionResult]::new('--export', '--export', [CompletionResultType]::ParameterName, 'Print the plan as CSV (topic,partition,offset)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;group;delete' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;group;delete-offsets' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Topic (repeatable)')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic (repeatable)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;schema' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('register', 'register', [CompletionResultType]::ParameterValue, 'Register a schema under a subject (a new version, checked for compatibility)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every subject: versions, latest id, type and compatibility mode')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'A subject''s schema (the latest version by default)')
            [CompletionResult]::new('compatibility', 'compatibility', [CompletionResultType]::ParameterValue, 'Show or set a subject''s compatibility mode (or the registry''s default)')
            break
        }
        'filka;schema;register' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The schema file')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The schema language [default: by extension, .proto is protobuf, else avro]')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'A directory to search for imported .proto files (repeatable)')
            [CompletionResult]::new('--proto-path', '--proto-path', [CompletionResultType]::ParameterName, 'A directory to search for imported .proto files (repeatable)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;schema;list' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;schema;show' {
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Which version')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;schema;compatibility' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The mode to set: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;transactions' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every transactional id and its state')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'One transactional id''s state: producer id, epoch, state, partitions')
            [CompletionResult]::new('describe-producers', 'describe-producers', [CompletionResultType]::ParameterValue, 'The producers a partition''s leader knows: epochs, sequences, open transactions')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Abort an open transaction, by transactional id or by where it started')
            break
        }
        'filka;transactions;list' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--no-abort', '--no-abort', [CompletionResultType]::ParameterName, 'Do not abort transactions whose holder died or timed out before listing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;transactions;describe' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;transactions;describe-producers' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Topic')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Partition')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Partition')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;transactions;abort' {
            [CompletionResult]::new('--transactional-id', '--transactional-id', [CompletionResultType]::ParameterName, 'The transactional id whose open transaction to abort')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The topic of a partition the transaction holds')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'The topic of a partition the transaction holds')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'That partition')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'That partition')
            [CompletionResult]::new('--start-offset', '--start-offset', [CompletionResultType]::ParameterName, 'The offset where the transaction started in it (describe-producers'' CurrentTransactionStartOffset)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;pipe' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The topic to read')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The topic to write (created with IN''s partition count when missing)')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'The consumer group whose offsets say where the pipe is')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The consumer group whose offsets say where the pipe is')
            [CompletionResult]::new('--transactional-id', '--transactional-id', [CompletionResultType]::ParameterName, 'The transactional id [default: filka-pipe-<GROUP>]; one per running pipe')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Records per batch (one CMD run, one transaction)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where a partition has no committed offset: SPEC, as consume''s -o (Kafka''s auto.offset.reset; default earliest, so a new group transforms what is already there)')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where a partition has no committed offset: SPEC, as consume''s -o (Kafka''s auto.offset.reset; default earliest, so a new group transforms what is already there)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How each record is written to CMD''s stdin (consume''s --format) [default: %v\n]')
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'How CMD''s stdout is read: one value per line, or JSON envelopes')
            [CompletionResult]::new('-K', '-K ', [CompletionResultType]::ParameterName, 'Split each output line into key and value at the first SEP (escapes \t \n \\)')
            [CompletionResult]::new('--key-separator', '--key-separator', [CompletionResultType]::ParameterName, 'Split each output line into key and value at the first SEP (escapes \t \n \\)')
            [CompletionResult]::new('--session-timeout-ms', '--session-timeout-ms', [CompletionResultType]::ParameterName, 'A member silent this long (e.g. a stopped pipe) is removed from the group')
            [CompletionResult]::new('--transaction-timeout-ms', '--transaction-timeout-ms', [CompletionResultType]::ParameterName, 'A transaction open longer than this is aborted (transaction.timeout.ms)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep waiting for new records instead of stopping at the end IN had at the start')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep waiting for new records instead of stopping at the end IN had at the start')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('cluster', 'cluster', [CompletionResultType]::ParameterValue, 'The cluster: its id, counts, and the partitions each broker leads and follows')
            [CompletionResult]::new('brokers', 'brokers', [CompletionResultType]::ParameterValue, 'One row per broker: Id, State (online or down), Paused, Leads, Follows')
            [CompletionResult]::new('topics', 'topics', [CompletionResultType]::ParameterValue, 'One row per partition of every topic')
            [CompletionResult]::new('topic', 'topic', [CompletionResultType]::ParameterValue, 'One topic: a row per partition, then every config with its value and source')
            [CompletionResult]::new('partition', 'partition', [CompletionResultType]::ParameterValue, 'One partition: leader, leader epoch, ISR, high watermark, and one row per replica')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'The metadata log in order: every change to brokers, topics and partitions')
            [CompletionResult]::new('quorum', 'quorum', [CompletionResultType]::ParameterValue, 'The KRaft controller quorum, as `kafka-metadata-quorum describe --status` prints it')
            [CompletionResult]::new('group', 'group', [CompletionResultType]::ParameterValue, 'Where a group stands on each partition: committed offset, log end, lag, owner')
            break
        }
        'filka;describe;cluster' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'List internal topics'' partitions in the brokers'' lists too')
            [CompletionResult]::new('--internal', '--internal', [CompletionResultType]::ParameterName, 'List internal topics'' partitions in the brokers'' lists too')
            [CompletionResult]::new('--include-internal', '--include-internal', [CompletionResultType]::ParameterName, 'List internal topics'' partitions in the brokers'' lists too')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe;brokers' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe;topics' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Include internal topics (names starting with ''__'')')
            [CompletionResult]::new('--internal', '--internal', [CompletionResultType]::ParameterName, 'Include internal topics (names starting with ''__'')')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe;topic' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe;partition' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe;history' {
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Only the records about this topic (including a deleted one)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe;quorum' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--replication', '--replication', [CompletionResultType]::ParameterName, 'One row per voter: its log end offset, lag and status')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;describe;group' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--members', '--members', [CompletionResultType]::ParameterName, 'One row per member instead (CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The group''s state instead (ASSIGNMENT-STRATEGY STATE GENERATION #MEMBERS)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('broker-down', 'broker-down', [CompletionResultType]::ParameterValue, 'Stop a broker: it leaves every ISR and the partitions it led elect new leaders')
            [CompletionResult]::new('broker-up', 'broker-up', [CompletionResultType]::ParameterValue, 'Start a broker again: recovery, truncation by leader epoch, catch-up, ISR rejoin')
            [CompletionResult]::new('controller-down', 'controller-down', [CompletionResultType]::ParameterValue, 'Stop a controller alone (a voter of the KRaft quorum); when it led, the others elect a new leader with a higher epoch. A combined node''s broker keeps running (its broker-down stops both). Without a majority of voters, no metadata change is made (exit 14)')
            [CompletionResult]::new('controller-up', 'controller-up', [CompletionResultType]::ParameterValue, 'Start a stopped controller again: it catches up from the leader; if it restores a majority, the quorum elects a leader and fences brokers that stopped meanwhile')
            [CompletionResult]::new('pause-replication', 'pause-replication', [CompletionResultType]::ParameterValue, 'Stop a broker''s followers from copying (a slow or cut-off follower)')
            [CompletionResult]::new('resume-replication', 'resume-replication', [CompletionResultType]::ParameterValue, 'Let a paused broker''s followers copy again; they catch up and rejoin the ISR')
            [CompletionResult]::new('corrupt', 'corrupt', [CompletionResultType]::ParameterValue, 'Flip bytes in a replica''s segment data, then do what Kafka does about it: a damaged leader goes offline (its log dir failed) and an in-sync replica leads; a damaged follower is cut and fetched again from the leader. Nothing acknowledged is lost while a healthy in-sync replica holds it. An offline replica is tried again when its broker restarts (broker-down, then broker-up)')
            [CompletionResult]::new('torn-write', 'torn-write', [CompletionResultType]::ParameterValue, 'Cut a replica''s active segment in the middle of its last batch, as a crash during a write leaves it, then recover it as Kafka does after an unclean stop: the torn batch is cut; a leader left below the high watermark its in-sync replicas reached has lost acknowledged records, so it goes offline and an in-sync replica leads')
            break
        }
        'filka;simulate-failure;broker-down' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--power-loss', '--power-loss', [CompletionResultType]::ParameterName, 'Also lose every byte its replicas wrote after their last flush (the recovery point; flush.messages decides how often that is), plus a torn tail')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure;broker-up' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure;controller-down' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure;controller-up' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure;pause-replication' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure;resume-replication' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure;corrupt' {
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker holding the replica')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Partition')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many bytes to flip')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed choosing the bytes (the same seed flips the same bytes)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;simulate-failure;torn-write' {
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Broker holding the replica')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Partition')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;dump' {
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Read at most the first N bytes of each .log file and KRaft snapshot (whole batches only; a batch the limit cuts is not reported)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--print-data', '--print-data', [CompletionResultType]::ParameterName, 'Also print each record''s offset, timestamp, key, value and headers, not just the batch headers (kafka-dump-log''s --print-data-log)')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check every batch''s CRC and every index entry against the segment beside it, and report each mismatch')
            [CompletionResult]::new('--cluster-metadata-decoder', '--cluster-metadata-decoder', [CompletionResultType]::ParameterName, 'Read every .log as a segment of KRaft''s metadata log: print each record as the metadata record it holds (kafka-dump-log''s --cluster-metadata-decoder)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;mirror' {
            [CompletionResult]::new('--to-kafka', '--to-kafka', [CompletionResultType]::ParameterName, 'Copy local topics into the Kafka cluster at BOOTSTRAP (host:port[,host:port...])')
            [CompletionResult]::new('--from-kafka', '--from-kafka', [CompletionResultType]::ParameterName, 'Copy topics of the Kafka cluster at BOOTSTRAP into the local cluster')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'A topic to mirror (repeatable), named as on the source side')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'A topic to mirror (repeatable), named as on the source side')
            [CompletionResult]::new('--rename', '--rename', [CompletionResultType]::ParameterName, 'Mirror source topic OLD into target topic NEW (repeatable)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'A librdkafka setting, as with kcat (repeatable): security.protocol, sasl.*, ssl.*, acks, compression.type, linger.ms, message.timeout.ms, auto.offset.reset, ...')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'The consumer group on the source side that holds where each partition got to')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The consumer group on the source side that holds where each partition got to')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Records sent between two commits: the target acknowledges them all before the source offsets move, and a killed mirror sends at most this many again')
            [CompletionResult]::new('--timeout-ms', '--timeout-ms', [CompletionResultType]::ParameterName, 'How long a metadata, topic creation or commit request to Kafka may take, and how long the mirror waits with every broker down before it gives up (exit 11)')
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('--all-topics', '--all-topics', [CompletionResultType]::ParameterName, 'Every local topic but the internal ones (with --to-kafka)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep mirroring new records until stopped, instead of stopping at the end. Ctrl-C (or SIGTERM) stops cleanly: what was read is sent, acknowledged and committed, then the summary is printed and the exit code is 0; a second Ctrl-C ends it at once')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep mirroring new records until stopped, instead of stopping at the end. Ctrl-C (or SIGTERM) stops cleanly: what was read is sent, acknowledged and committed, then the summary is printed and the exit code is 0; a second Ctrl-C ends it at once')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;demo' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'filka;completions' {
            [CompletionResult]::new('--cluster', '--cluster', [CompletionResultType]::ParameterName, 'The cluster directory, created on first use by every command that needs one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text for people, json for scripts')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr what the command does, in Kafka''s words (-vv: every batch too)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
