# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_filka_global_optspecs
    string join \n cluster= output= q/quiet v/verbose h/help V/version
end

function __fish_filka_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_filka_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_filka_using_subcommand
    set -l cmd (__fish_filka_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c filka -n "__fish_filka_needs_command" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_needs_command" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_needs_command" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_needs_command" -s V -l version -d 'Print version'
complete -c filka -n "__fish_filka_needs_command" -f -a "init" -d 'Create a cluster: broker folders and the controller quorum\'s metadata log'
complete -c filka -n "__fish_filka_needs_command" -f -a "topic" -d 'Create, list, describe, alter and delete topics'
complete -c filka -n "__fish_filka_needs_command" -f -a "produce" -d 'Produce records to a topic from stdin (or a file), one record per line'
complete -c filka -n "__fish_filka_needs_command" -f -a "consume" -d 'Write a topic\'s records to stdout, like `kcat -C`'
complete -c filka -n "__fish_filka_needs_command" -f -a "group" -d 'Consumer groups: members, committed offsets and lag (kafka-consumer-groups.sh)'
complete -c filka -n "__fish_filka_needs_command" -f -a "schema" -d 'The local schema registry: subjects, versions, ids and compatibility modes'
complete -c filka -n "__fish_filka_needs_command" -f -a "transactions" -d 'Transactions: their state in __transaction_state, producers of a partition, aborting (kafka-transactions.sh)'
complete -c filka -n "__fish_filka_needs_command" -f -a "pipe" -d 'Run a command on each batch of a topic\'s records, writing its output to another topic exactly once (consume-transform-produce in one transaction per batch)'
complete -c filka -n "__fish_filka_needs_command" -f -a "describe" -d 'Show brokers, topics, partitions, replicas, the metadata history and the controller quorum'
complete -c filka -n "__fish_filka_needs_command" -f -a "simulate-failure" -d 'Make brokers fail in the ways Kafka brokers fail, and see how the cluster copes'
complete -c filka -n "__fish_filka_needs_command" -f -a "dump" -d 'Print the contents of Kafka segment, index, snapshot and checkpoint files'
complete -c filka -n "__fish_filka_needs_command" -f -a "mirror" -d 'Mirror topics to or from a real Kafka cluster'
complete -c filka -n "__fish_filka_needs_command" -f -a "demo" -d 'Play the seed\'s example on a fresh cluster, running each command it prints'
complete -c filka -n "__fish_filka_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c filka -n "__fish_filka_using_subcommand init" -l brokers -d 'Number of brokers (1 to 1000)' -r
complete -c filka -n "__fish_filka_using_subcommand init" -l first-id -d 'Id of the first broker; the others follow in order (Kafka\'s node.id)' -r
complete -c filka -n "__fish_filka_using_subcommand init" -l controllers -d 'How many of the brokers (the first ones) are also controllers, voters of the KRaft quorum; a change needs a majority of them running. Default: the largest odd number up to 5 and the broker count' -r
complete -c filka -n "__fish_filka_using_subcommand init" -s c -l config -d 'A cluster-wide config default, KEY=VALUE (repeat for more): replica.lag.time.max.ms or flush.messages. A topic\'s own --config overrides it' -r
complete -c filka -n "__fish_filka_using_subcommand init" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand init" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand init" -l isolated -d 'The controllers are nodes of their own (Kafka\'s isolated mode, process.roles=controller): folders controller-<id>, ids 1 to N (or after the last broker\'s when those are taken), each with its copy of the metadata log. Brokers then go down without touching the quorum. Default count with it: 3'
complete -c filka -n "__fish_filka_using_subcommand init" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand init" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -f -a "create" -d 'Create a topic and its replicas\' folders, spreading leaders and followers over the brokers as Kafka does'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -f -a "list" -d 'List topic names, one per line'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -f -a "describe" -d 'One topic: a row per partition, then every config with its value and source'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -f -a "alter" -d 'Add partitions to a topic or set its config overrides'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -f -a "delete" -d 'Delete topics: their metadata first, then every replica\'s folder'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -f -a "elect-leaders" -d 'Preferred leader election: move leadership back to each partition\'s first replica'
complete -c filka -n "__fish_filka_using_subcommand topic; and not __fish_seen_subcommand_from create list describe alter delete elect-leaders partition-for" -f -a "partition-for" -d 'Which partition a key goes to, as Kafka\'s default partitioner computes it; writes nothing'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -s p -l partitions -d 'Number of partitions [default: 3]' -r
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -s r -l replication-factor -d 'Replicas of each partition, on distinct brokers [default: 3, or the number of online brokers if fewer]' -r
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -s c -l config -d 'A topic config override, KEY=VALUE (repeat for more). Known keys: retention.ms, retention.bytes, segment.bytes, segment.ms, min.insync.replicas, compression.type, cleanup.policy, unclean.leader.election.enable, message.timestamp.type, max.message.bytes (at most 16777216: filka reads no batch larger than 16 MiB), and others (`filka describe topic NAME` lists them all)' -r
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -l if-not-exists -d 'Succeed without changing anything when the topic already exists'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from list" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from list" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from list" -s i -l internal -d 'Include internal topics (names starting with \'__\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from describe" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from describe" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from describe" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from describe" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from alter" -s p -l partitions -d 'The new total number of partitions (at least the current count)' -r
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from alter" -s c -l config -d 'A config override to set, KEY=VALUE (repeat for more); the keys of `topic create --config` (max.message.bytes at most 16777216, 16 MiB)' -r
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from alter" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from alter" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from alter" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from alter" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from alter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from delete" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from delete" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from delete" -l if-exists -d 'Succeed when a topic does not exist'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from elect-leaders" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from elect-leaders" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from elect-leaders" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from elect-leaders" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from elect-leaders" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from partition-for" -l key-format -d 'The key\'s format: bytes (as it is), string, base64, hex, int, long, double or json' -r -f -a "bytes\t'Raw bytes, as they are (the default)'
string\t'UTF-8 text (consume prints invalid bytes as U+FFFD and says how many values had them)'
base64\t'Bytes, written as base64 text outside the record'
hex\t'Bytes, written as hex text outside the record'
int\t'A 32-bit big-endian integer (Kafka\'s IntegerSerializer)'
long\t'A 64-bit big-endian integer (Kafka\'s LongSerializer)'
double\t'A 64-bit big-endian IEEE 754 float (Kafka\'s DoubleSerializer)'
json\t'JSON text'
avro\t'Avro binary, with --value-schema/--key-schema or the registry'
protobuf\t'Protobuf binary, with --proto/--descriptor-set or the registry'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from partition-for" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from partition-for" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from partition-for" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from partition-for" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand topic; and __fish_seen_subcommand_from partition-for" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand produce" -s t -l topic -d 'The topic to write to' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l input -d 'Read records from FILE instead of stdin ("-" is stdin)' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -l input-format -d 'How each input line is read' -r -f -a "lines\t'Each line is a value (or key SEP value with -K)'
envelope\t'Each line is a JSON record envelope, as `consume --output json` writes'
json\t'Each line is a JSON value: the record\'s value (--key-field picks the key)'
csv\t'CSV with a header row: each row a record whose fields the header names'"
complete -c filka -n "__fish_filka_using_subcommand produce" -s K -l key-separator -d 'Split each line into key and value at the first SEP' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -s k -l key -d 'The key of every record (with -K: of the lines without a separator)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -s H -l header -d 'Add a header to every record (repeat for more)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -s p -l partition -d 'Write every record to partition N instead of letting the partitioner choose' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l null-value -d 'Produce a value equal to MARKER as a null value (a tombstone)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l batch-size -d 'Uncompressed bytes per partition batch before it is written (Kafka\'s batch.size)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -s z -l compression -d 'Compression codec of the batches [default: the topic\'s compression.type]' -r -f -a "none\t'No compression'
gzip\t'gzip'
snappy\t'snappy'
lz4\t'LZ4'
zstd\t'zstd'"
complete -c filka -n "__fish_filka_using_subcommand produce" -l acks -d 'Wait for no replica (0), the leader (1) or every in-sync replica (all)' -r -f -a "0\t'Wait for nothing, not even a leader; no offsets are known, and records the leader cannot take are dropped (counted on stderr)'
1\t'The leader has the records'
all\t'Every in-sync replica has them (-1 is the same)'"
complete -c filka -n "__fish_filka_using_subcommand produce" -l delivery-timeout-ms -d 'How long records wait for an offline partition to get a leader again, as Kafka\'s delivery.timeout.ms; then produce stops with exit code 7, every record before them written (whatever the acks: with no leader there is no broker to send to)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l transactional-id -d 'Produce in transactions under this transactional id: read_committed consumers see the records only once their transaction commits' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l transaction-records -d 'With --transactional-id: commit every N records (and at the end of the input)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l transaction-timeout-ms -d 'With --transactional-id: a transaction open longer than this is aborted by the next process that needs it (Kafka\'s transaction.timeout.ms)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l key-field -d 'Take each record\'s key from this field of the input (json, csv)' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l key-format -d 'The keys\' format [default: bytes, or what a key schema implies]' -r -f -a "bytes\t'Raw bytes, as they are (the default)'
string\t'UTF-8 text (consume prints invalid bytes as U+FFFD and says how many values had them)'
base64\t'Bytes, written as base64 text outside the record'
hex\t'Bytes, written as hex text outside the record'
int\t'A 32-bit big-endian integer (Kafka\'s IntegerSerializer)'
long\t'A 64-bit big-endian integer (Kafka\'s LongSerializer)'
double\t'A 64-bit big-endian IEEE 754 float (Kafka\'s DoubleSerializer)'
json\t'JSON text'
avro\t'Avro binary, with --value-schema/--key-schema or the registry'
protobuf\t'Protobuf binary, with --proto/--descriptor-set or the registry'"
complete -c filka -n "__fish_filka_using_subcommand produce" -l value-format -d 'The values\' format [default: bytes, or what a value schema implies]' -r -f -a "bytes\t'Raw bytes, as they are (the default)'
string\t'UTF-8 text (consume prints invalid bytes as U+FFFD and says how many values had them)'
base64\t'Bytes, written as base64 text outside the record'
hex\t'Bytes, written as hex text outside the record'
int\t'A 32-bit big-endian integer (Kafka\'s IntegerSerializer)'
long\t'A 64-bit big-endian integer (Kafka\'s LongSerializer)'
double\t'A 64-bit big-endian IEEE 754 float (Kafka\'s DoubleSerializer)'
json\t'JSON text'
avro\t'Avro binary, with --value-schema/--key-schema or the registry'
protobuf\t'Protobuf binary, with --proto/--descriptor-set or the registry'"
complete -c filka -n "__fish_filka_using_subcommand produce" -l value-schema -d 'The values\' Avro schema (.avsc); implies --value-format avro' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -l key-schema -d 'The keys\' Avro schema (.avsc); implies --key-format avro' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -l proto -d 'The values\' .proto file, compiled at run time (no protoc needed); implies --value-format protobuf' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -l key-proto -d 'The keys\' .proto file; implies --key-format protobuf' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -s I -l proto-path -d 'A directory to search for imported .proto files (repeatable), like protoc\'s -I' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand produce" -l message -d 'The values\' message type (e.g. io.filka.trucks.TruckPosition) [default: the file\'s first message]' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l key-message -d 'The keys\' message type [default: the key file\'s first message]' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l descriptor-set -d 'The values\' types as a FileDescriptorSet (protoc --descriptor_set_out) instead of --proto; implies --value-format protobuf' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -l key-descriptor-set -d 'The keys\' types as a FileDescriptorSet instead of --key-proto' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand produce" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand produce" -l no-create -d 'Fail with exit code 4 when the topic does not exist, instead of creating it'
complete -c filka -n "__fish_filka_using_subcommand produce" -l print-offsets -d 'Print "partition<TAB>offset" for each record once it is acknowledged, in input order (offset -1 with --acks 0: not known)'
complete -c filka -n "__fish_filka_using_subcommand produce" -l skip-invalid -d 'Report malformed lines on stderr and go on, instead of stopping with exit code 5'
complete -c filka -n "__fish_filka_using_subcommand produce" -l no-idempotence -d 'Do not number batches with a producer id and sequences (Kafka\'s enable.idempotence=false). Idempotence is on by default with --acks all, so a retry whose acknowledgement was lost is never written twice'
complete -c filka -n "__fish_filka_using_subcommand produce" -l registry -d 'Use the cluster\'s schema registry and Confluent\'s wire format'
complete -c filka -n "__fish_filka_using_subcommand produce" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand produce" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand produce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand consume" -s t -l topic -d 'The topic to read (it must exist: consume never creates topics)' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -s p -l partition -d 'Partitions to read, comma-separated and/or repeated (-p 0,2 -p 5); all by default' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -s o -l offset -d 'Where to start in each partition' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -s c -l max-messages -d 'Stop after N records in all (across partitions), then exit 0' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l timeout-ms -d 'Wait for records as -f does, but give up once none arrived for MS milliseconds: what was read is written out, then exit 8 (Timeout), as Kafka\'s console consumer\'s --timeout-ms ends it' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l format -d 'How to print each record (kcat\'s -f)' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -s g -l group -d 'Consume as a member of consumer group GROUP (see `filka group`)' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l commit -d 'When offsets are committed (with --group)' -r -f -a "auto\t'After the records were written out (at-least-once)'
before\t'Before the records are written out (at-most-once)'
none\t'Never'"
complete -c filka -n "__fish_filka_using_subcommand consume" -l assignor -d 'How partitions are shared among the members (with --group)' -r -f -a "range\t'Per topic, consecutive ranges (Kafka\'s RangeAssignor)'
roundrobin\t'All partitions dealt one by one (RoundRobinAssignor)'
sticky\t'Balanced, moving as few partitions as possible (StickyAssignor)'"
complete -c filka -n "__fish_filka_using_subcommand consume" -l session-timeout-ms -d 'A member silent (e.g. stopped) this long is removed from the group (with --group)' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l auto-commit-interval-ms -d 'How often --commit auto commits (with --group)' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l key-format -d 'The keys\' format [default: bytes, or what a key schema implies]' -r -f -a "bytes\t'Raw bytes, as they are (the default)'
string\t'UTF-8 text (consume prints invalid bytes as U+FFFD and says how many values had them)'
base64\t'Bytes, written as base64 text outside the record'
hex\t'Bytes, written as hex text outside the record'
int\t'A 32-bit big-endian integer (Kafka\'s IntegerSerializer)'
long\t'A 64-bit big-endian integer (Kafka\'s LongSerializer)'
double\t'A 64-bit big-endian IEEE 754 float (Kafka\'s DoubleSerializer)'
json\t'JSON text'
avro\t'Avro binary, with --value-schema/--key-schema or the registry'
protobuf\t'Protobuf binary, with --proto/--descriptor-set or the registry'"
complete -c filka -n "__fish_filka_using_subcommand consume" -l value-format -d 'The values\' format [default: bytes, or what a value schema implies]' -r -f -a "bytes\t'Raw bytes, as they are (the default)'
string\t'UTF-8 text (consume prints invalid bytes as U+FFFD and says how many values had them)'
base64\t'Bytes, written as base64 text outside the record'
hex\t'Bytes, written as hex text outside the record'
int\t'A 32-bit big-endian integer (Kafka\'s IntegerSerializer)'
long\t'A 64-bit big-endian integer (Kafka\'s LongSerializer)'
double\t'A 64-bit big-endian IEEE 754 float (Kafka\'s DoubleSerializer)'
json\t'JSON text'
avro\t'Avro binary, with --value-schema/--key-schema or the registry'
protobuf\t'Protobuf binary, with --proto/--descriptor-set or the registry'"
complete -c filka -n "__fish_filka_using_subcommand consume" -l value-schema -d 'The values\' Avro schema (.avsc); implies --value-format avro' -r -F
complete -c filka -n "__fish_filka_using_subcommand consume" -l key-schema -d 'The keys\' Avro schema (.avsc); implies --key-format avro' -r -F
complete -c filka -n "__fish_filka_using_subcommand consume" -l proto -d 'The values\' .proto file, compiled at run time (no protoc needed); implies --value-format protobuf' -r -F
complete -c filka -n "__fish_filka_using_subcommand consume" -l key-proto -d 'The keys\' .proto file; implies --key-format protobuf' -r -F
complete -c filka -n "__fish_filka_using_subcommand consume" -s I -l proto-path -d 'A directory to search for imported .proto files (repeatable), like protoc\'s -I' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand consume" -l message -d 'The values\' message type (e.g. io.filka.trucks.TruckPosition) [default: the file\'s first message]' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l key-message -d 'The keys\' message type [default: the key file\'s first message]' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l descriptor-set -d 'The values\' types as a FileDescriptorSet (protoc --descriptor_set_out) instead of --proto; implies --value-format protobuf' -r -F
complete -c filka -n "__fish_filka_using_subcommand consume" -l key-descriptor-set -d 'The keys\' types as a FileDescriptorSet instead of --key-proto' -r -F
complete -c filka -n "__fish_filka_using_subcommand consume" -l reader-schema -d 'Read Avro values with this schema (Avro schema resolution: defaults for new fields, removed fields dropped, promotions), e.g. a newer version than the writer\'s' -r -F
complete -c filka -n "__fish_filka_using_subcommand consume" -l isolation -d 'Which records to read (Kafka\'s isolation.level)' -r -f -a "read_uncommitted\t'Everything up to the high watermark (Kafka\'s default)'
read_committed\t'Committed transactions only, up to the last stable offset'"
complete -c filka -n "__fish_filka_using_subcommand consume" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand consume" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand consume" -s f -l follow -d 'Keep waiting for new records after reaching the end, until killed (or -c is reached)'
complete -c filka -n "__fish_filka_using_subcommand consume" -l registry -d 'Use the cluster\'s schema registry and Confluent\'s wire format'
complete -c filka -n "__fish_filka_using_subcommand consume" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand consume" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand consume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -f -a "list" -d 'Every group and its state'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -f -a "describe" -d 'Where a group stands on each partition: committed offset, log end, lag, owner'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -f -a "commit" -d 'Commit an offset for a group (a script that tracks its own progress)'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -f -a "reset-offsets" -d 'Move a group\'s committed offsets (dry run unless --execute)'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -f -a "delete" -d 'Delete a group: its committed offsets and its folder'
complete -c filka -n "__fish_filka_using_subcommand group; and not __fish_seen_subcommand_from list describe commit reset-offsets delete delete-offsets" -f -a "delete-offsets" -d 'Delete a group\'s committed offsets for a topic'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from list" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from list" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from describe" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from describe" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from describe" -l members -d 'One row per member instead (CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from describe" -l state -d 'The group\'s state instead (ASSIGNMENT-STRATEGY STATE GENERATION #MEMBERS)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from describe" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from describe" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -s t -l topic -d 'Topic' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -s p -l partition -d 'Partition' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -s o -l offset -d 'The next offset to read' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from commit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -s t -l topic -d 'Topics to reset (repeatable); default: every topic the group has offsets for' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l to-offset -d 'To offset N' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l shift-by -d 'By N from the committed offset (negative goes back)' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l to-datetime -d 'To the first record at or after TIME (RFC 3339, a date, or epoch ms)' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l by-duration -d 'To the first record at or after now minus DURATION (30m, 1h, PT1H30M)' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l from-file -d 'From a CSV plan of topic,partition,offset lines (what --export prints)' -r -F
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l to-earliest -d 'To the log start offset'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l to-latest -d 'To the high watermark'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l to-current -d 'To the committed offset (no change; useful with --export)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l execute -d 'Apply the plan (without it, only print it)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -l export -d 'Print the plan as CSV (topic,partition,offset)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from reset-offsets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete-offsets" -s t -l topic -d 'Topic (repeatable)' -r
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete-offsets" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete-offsets" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete-offsets" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete-offsets" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand group; and __fish_seen_subcommand_from delete-offsets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -f -a "register" -d 'Register a schema under a subject (a new version, checked for compatibility)'
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -f -a "list" -d 'Every subject: versions, latest id, type and compatibility mode'
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -f -a "show" -d 'A subject\'s schema (the latest version by default)'
complete -c filka -n "__fish_filka_using_subcommand schema; and not __fish_seen_subcommand_from register list show compatibility" -f -a "compatibility" -d 'Show or set a subject\'s compatibility mode (or the registry\'s default)'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -l file -d 'The schema file' -r -F
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -l type -d 'The schema language [default: by extension, .proto is protobuf, else avro]' -r -f -a "avro\t'An Avro schema (.avsc, JSON)'
protobuf\t'A Protocol Buffers file (.proto)'"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -s I -l proto-path -d 'A directory to search for imported .proto files (repeatable)' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from list" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from list" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from show" -l version -d 'Which version' -r
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from show" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from show" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from compatibility" -l set -d 'The mode to set: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE' -r
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from compatibility" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from compatibility" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from compatibility" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from compatibility" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand schema; and __fish_seen_subcommand_from compatibility" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -f -a "list" -d 'Every transactional id and its state'
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -f -a "describe" -d 'One transactional id\'s state: producer id, epoch, state, partitions'
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -f -a "describe-producers" -d 'The producers a partition\'s leader knows: epochs, sequences, open transactions'
complete -c filka -n "__fish_filka_using_subcommand transactions; and not __fish_seen_subcommand_from list describe describe-producers abort" -f -a "abort" -d 'Abort an open transaction, by transactional id or by where it started'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from list" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from list" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from list" -l no-abort -d 'Do not abort transactions whose holder died or timed out before listing'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe-producers" -s t -l topic -d 'Topic' -r
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe-producers" -s p -l partition -d 'Partition' -r
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe-producers" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe-producers" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe-producers" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe-producers" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from describe-producers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -l transactional-id -d 'The transactional id whose open transaction to abort' -r
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -s t -l topic -d 'The topic of a partition the transaction holds' -r
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -s p -l partition -d 'That partition' -r
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -l start-offset -d 'The offset where the transaction started in it (describe-producers\' CurrentTransactionStartOffset)' -r
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand transactions; and __fish_seen_subcommand_from abort" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand pipe" -l from -d 'The topic to read' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l to -d 'The topic to write (created with IN\'s partition count when missing)' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -s g -l group -d 'The consumer group whose offsets say where the pipe is' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l transactional-id -d 'The transactional id [default: filka-pipe-<GROUP>]; one per running pipe' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l batch -d 'Records per batch (one CMD run, one transaction)' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -s o -l offset -d 'Where a partition has no committed offset: SPEC, as consume\'s -o (Kafka\'s auto.offset.reset; default earliest, so a new group transforms what is already there)' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l format -d 'How each record is written to CMD\'s stdin (consume\'s --format) [default: %v\\n]' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l input-format -d 'How CMD\'s stdout is read: one value per line, or JSON envelopes' -r -f -a "lines\t'One record value per line (with -K, key SEP value)'
envelope\t'One JSON envelope per line, as `consume --output json` writes'"
complete -c filka -n "__fish_filka_using_subcommand pipe" -s K -l key-separator -d 'Split each output line into key and value at the first SEP (escapes \\t \\n \\\\)' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l session-timeout-ms -d 'A member silent this long (e.g. a stopped pipe) is removed from the group' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l transaction-timeout-ms -d 'A transaction open longer than this is aborted (transaction.timeout.ms)' -r
complete -c filka -n "__fish_filka_using_subcommand pipe" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand pipe" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand pipe" -s f -l follow -d 'Keep waiting for new records instead of stopping at the end IN had at the start'
complete -c filka -n "__fish_filka_using_subcommand pipe" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand pipe" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand pipe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "cluster" -d 'The cluster: its id, counts, and the partitions each broker leads and follows'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "brokers" -d 'One row per broker: Id, State (online or down), Paused, Leads, Follows'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "topics" -d 'One row per partition of every topic'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "topic" -d 'One topic: a row per partition, then every config with its value and source'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "partition" -d 'One partition: leader, leader epoch, ISR, high watermark, and one row per replica'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "history" -d 'The metadata log in order: every change to brokers, topics and partitions'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "quorum" -d 'The KRaft controller quorum, as `kafka-metadata-quorum describe --status` prints it'
complete -c filka -n "__fish_filka_using_subcommand describe; and not __fish_seen_subcommand_from cluster brokers topics topic partition history quorum group" -f -a "group" -d 'Where a group stands on each partition: committed offset, log end, lag, owner'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from cluster" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from cluster" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from cluster" -s i -l internal -l include-internal -d 'List internal topics\' partitions in the brokers\' lists too'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from cluster" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from cluster" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from cluster" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from brokers" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from brokers" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from brokers" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from brokers" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from brokers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topics" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topics" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topics" -s i -l internal -d 'Include internal topics (names starting with \'__\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topics" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topics" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topic" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topic" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topic" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topic" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from topic" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from partition" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from partition" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from partition" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from partition" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from partition" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from history" -l topic -d 'Only the records about this topic (including a deleted one)' -r
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from history" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from history" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from history" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from quorum" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from quorum" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from quorum" -l replication -d 'One row per voter: its log end offset, lag and status'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from quorum" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from quorum" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from quorum" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from group" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from group" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from group" -l members -d 'One row per member instead (CONSUMER-ID HOST CLIENT-ID #PARTITIONS ASSIGNMENT)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from group" -l state -d 'The group\'s state instead (ASSIGNMENT-STRATEGY STATE GENERATION #MEMBERS)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from group" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from group" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand describe; and __fish_seen_subcommand_from group" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "broker-down" -d 'Stop a broker: it leaves every ISR and the partitions it led elect new leaders'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "broker-up" -d 'Start a broker again: recovery, truncation by leader epoch, catch-up, ISR rejoin'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "controller-down" -d 'Stop a controller alone (a voter of the KRaft quorum); when it led, the others elect a new leader with a higher epoch. A combined node\'s broker keeps running (its broker-down stops both). Without a majority of voters, no metadata change is made (exit 14)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "controller-up" -d 'Start a stopped controller again: it catches up from the leader; if it restores a majority, the quorum elects a leader and fences brokers that stopped meanwhile'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "pause-replication" -d 'Stop a broker\'s followers from copying (a slow or cut-off follower)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "resume-replication" -d 'Let a paused broker\'s followers copy again; they catch up and rejoin the ISR'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "corrupt" -d 'Flip bytes in a replica\'s segment data, then do what Kafka does about it: a damaged leader goes offline (its log dir failed) and an in-sync replica leads; a damaged follower is cut and fetched again from the leader. Nothing acknowledged is lost while a healthy in-sync replica holds it. An offline replica is tried again when its broker restarts (broker-down, then broker-up)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and not __fish_seen_subcommand_from broker-down broker-up controller-down controller-up pause-replication resume-replication corrupt torn-write" -f -a "torn-write" -d 'Cut a replica\'s active segment in the middle of its last batch, as a crash during a write leaves it, then recover it as Kafka does after an unclean stop: the torn batch is cut; a leader left below the high watermark its in-sync replicas reached has lost acknowledged records, so it goes offline and an in-sync replica leads'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-down" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-down" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-down" -l power-loss -d 'Also lose every byte its replicas wrote after their last flush (the recovery point; flush.messages decides how often that is), plus a torn tail'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-down" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-down" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-up" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-up" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-up" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-up" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from broker-up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-down" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-down" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-down" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-down" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-up" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-up" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-up" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-up" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from controller-up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from pause-replication" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from pause-replication" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from pause-replication" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from pause-replication" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from pause-replication" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from resume-replication" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from resume-replication" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from resume-replication" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from resume-replication" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from resume-replication" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -l broker -d 'Broker holding the replica' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -l topic -d 'Topic' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -l partition -d 'Partition' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -l count -d 'How many bytes to flip' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -l seed -d 'Seed choosing the bytes (the same seed flips the same bytes)' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from corrupt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -l broker -d 'Broker holding the replica' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -l topic -d 'Topic' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -l partition -d 'Partition' -r
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand simulate-failure; and __fish_seen_subcommand_from torn-write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand dump" -l max-bytes -d 'Read at most the first N bytes of each .log file and KRaft snapshot (whole batches only; a batch the limit cuts is not reported)' -r
complete -c filka -n "__fish_filka_using_subcommand dump" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand dump" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand dump" -l print-data -d 'Also print each record\'s offset, timestamp, key, value and headers, not just the batch headers (kafka-dump-log\'s --print-data-log)'
complete -c filka -n "__fish_filka_using_subcommand dump" -l verify -d 'Check every batch\'s CRC and every index entry against the segment beside it, and report each mismatch'
complete -c filka -n "__fish_filka_using_subcommand dump" -l cluster-metadata-decoder -d 'Read every .log as a segment of KRaft\'s metadata log: print each record as the metadata record it holds (kafka-dump-log\'s --cluster-metadata-decoder)'
complete -c filka -n "__fish_filka_using_subcommand dump" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand dump" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand mirror" -l to-kafka -d 'Copy local topics into the Kafka cluster at BOOTSTRAP (host:port[,host:port...])' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -l from-kafka -d 'Copy topics of the Kafka cluster at BOOTSTRAP into the local cluster' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -s t -l topic -d 'A topic to mirror (repeatable), named as on the source side' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -l rename -d 'Mirror source topic OLD into target topic NEW (repeatable)' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -s X -d 'A librdkafka setting, as with kcat (repeatable): security.protocol, sasl.*, ssl.*, acks, compression.type, linger.ms, message.timeout.ms, auto.offset.reset, ...' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -s g -l group -d 'The consumer group on the source side that holds where each partition got to' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -l batch -d 'Records sent between two commits: the target acknowledges them all before the source offsets move, and a killed mirror sends at most this many again' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -l timeout-ms -d 'How long a metadata, topic creation or commit request to Kafka may take, and how long the mirror waits with every broker down before it gives up (exit 11)' -r
complete -c filka -n "__fish_filka_using_subcommand mirror" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand mirror" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand mirror" -l all-topics -d 'Every local topic but the internal ones (with --to-kafka)'
complete -c filka -n "__fish_filka_using_subcommand mirror" -s f -l follow -d 'Keep mirroring new records until stopped, instead of stopping at the end. Ctrl-C (or SIGTERM) stops cleanly: what was read is sent, acknowledged and committed, then the summary is printed and the exit code is 0; a second Ctrl-C ends it at once'
complete -c filka -n "__fish_filka_using_subcommand mirror" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand mirror" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand mirror" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand demo" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand demo" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand demo" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand demo" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand completions" -l cluster -d 'The cluster directory, created on first use by every command that needs one' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand completions" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand completions" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand completions" -s v -l verbose -d 'Say on stderr what the command does, in Kafka\'s words (-vv: every batch too)'
complete -c filka -n "__fish_filka_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
