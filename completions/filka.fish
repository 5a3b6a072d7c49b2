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

complete -c filka -n "__fish_filka_needs_command" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_needs_command" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_needs_command" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_needs_command" -s V -l version -d 'Print version'
complete -c filka -n "__fish_filka_needs_command" -f -a "init" -d 'Not built yet'
complete -c filka -n "__fish_filka_needs_command" -f -a "topic" -d 'Not built yet'
complete -c filka -n "__fish_filka_needs_command" -f -a "produce" -d 'Produce records to a topic from stdin (or a file), one record per line'
complete -c filka -n "__fish_filka_needs_command" -f -a "consume" -d 'Not built yet'
complete -c filka -n "__fish_filka_needs_command" -f -a "describe" -d 'Not built yet'
complete -c filka -n "__fish_filka_needs_command" -f -a "dump" -d 'Print the contents of Kafka segment, index, time index and checkpoint files'
complete -c filka -n "__fish_filka_needs_command" -f -a "demo" -d 'Not built yet'
complete -c filka -n "__fish_filka_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c filka -n "__fish_filka_using_subcommand init" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand init" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand init" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand init" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand topic" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand topic" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand topic" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand topic" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand topic" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand produce" -s t -l topic -d 'The topic to write to' -r
complete -c filka -n "__fish_filka_using_subcommand produce" -l input -d 'Read records from FILE instead of stdin ("-" is stdin)' -r -F
complete -c filka -n "__fish_filka_using_subcommand produce" -l input-format -d 'How each input line is read' -r -f -a "lines\t'Each line is a value (or key SEP value with -K)'
envelope\t'Each line is a JSON record envelope, as `consume --output json` writes'"
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
complete -c filka -n "__fish_filka_using_subcommand produce" -l acks -d 'Wait for no replica (0), the leader (1) or every in-sync replica (all)' -r -f -a "0\t'Do not wait; no offsets are known'
1\t'The leader has the records'
all\t'Every in-sync replica has them (-1 is the same)'"
complete -c filka -n "__fish_filka_using_subcommand produce" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand produce" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand produce" -l no-create -d 'Fail with exit code 4 when the topic does not exist, instead of creating it'
complete -c filka -n "__fish_filka_using_subcommand produce" -l print-offsets -d 'Print "partition<TAB>offset" for each record once it is acknowledged'
complete -c filka -n "__fish_filka_using_subcommand produce" -l skip-invalid -d 'Report malformed lines on stderr and go on, instead of stopping with exit code 5'
complete -c filka -n "__fish_filka_using_subcommand produce" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand produce" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand produce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand consume" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand consume" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand consume" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand consume" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand consume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand describe" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand describe" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand describe" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand describe" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand describe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand dump" -l max-bytes -d 'Read at most this many bytes of each file' -r
complete -c filka -n "__fish_filka_using_subcommand dump" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand dump" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand dump" -l print-data -d 'Also print each record\'s offset, timestamp, key, value and headers, not just the batch headers (kafka-dump-log\'s --print-data-log)'
complete -c filka -n "__fish_filka_using_subcommand dump" -l verify -d 'Check every batch\'s CRC and every index entry against the segment beside it, and report each mismatch'
complete -c filka -n "__fish_filka_using_subcommand dump" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand dump" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand demo" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand demo" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand demo" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand demo" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand completions" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand completions" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand completions" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand completions" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
