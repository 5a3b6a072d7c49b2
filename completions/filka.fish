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
complete -c filka -n "__fish_filka_needs_command" -f -a "produce" -d 'Not built yet'
complete -c filka -n "__fish_filka_needs_command" -f -a "consume" -d 'Write a topic\'s records to stdout, like `kcat -C`'
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
complete -c filka -n "__fish_filka_using_subcommand produce" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand produce" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand produce" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c filka -n "__fish_filka_using_subcommand produce" -s v -l verbose -d 'Say more on stderr about what happens (repeat for more detail)'
complete -c filka -n "__fish_filka_using_subcommand produce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c filka -n "__fish_filka_using_subcommand consume" -s t -l topic -d 'The topic to read (it must exist: consume never creates topics)' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -s p -l partition -d 'Partitions to read, comma-separated and/or repeated (-p 0,2 -p 5); all by default' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -s o -l offset -d 'Where to start in each partition' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -s c -l max-messages -d 'Stop after N records in all (across partitions), then exit 0' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l format -d 'How to print each record (kcat\'s -f)' -r
complete -c filka -n "__fish_filka_using_subcommand consume" -l cluster -d 'The cluster directory, created on first use by commands that write' -r -f -a "(__fish_complete_directories)"
complete -c filka -n "__fish_filka_using_subcommand consume" -l output -d 'Output format: text for people, json for scripts' -r -f -a "text\t'Tables and templates for people'
json\t'One JSON object per line, for scripts'
csv\t'Comma-separated values, where a command supports it'
avro\t'Avro, where a command supports it'"
complete -c filka -n "__fish_filka_using_subcommand consume" -s f -l follow -d 'Keep waiting for new records after reaching the end, until killed (or -c is reached)'
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
