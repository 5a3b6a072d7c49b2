
use builtin;
use str;

set edit:completion:arg-completer[filka] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'filka'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'filka'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Not built yet'
            cand topic 'Not built yet'
            cand produce 'Not built yet'
            cand consume 'Write a topic''s records to stdout, like `kcat -C`'
            cand describe 'Not built yet'
            cand dump 'Print the contents of Kafka segment, index, time index and checkpoint files'
            cand demo 'Not built yet'
            cand completions 'Print a shell completion script'
        }
        &'filka;init'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;topic'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;produce'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;consume'= {
            cand -t 'The topic to read (it must exist: consume never creates topics)'
            cand --topic 'The topic to read (it must exist: consume never creates topics)'
            cand -p 'Partitions to read, comma-separated and/or repeated (-p 0,2 -p 5); all by default'
            cand --partition 'Partitions to read, comma-separated and/or repeated (-p 0,2 -p 5); all by default'
            cand -o 'Where to start in each partition'
            cand --offset 'Where to start in each partition'
            cand -c 'Stop after N records in all (across partitions), then exit 0'
            cand --max-messages 'Stop after N records in all (across partitions), then exit 0'
            cand --format 'How to print each record (kcat''s -f)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -f 'Keep waiting for new records after reaching the end, until killed (or -c is reached)'
            cand --follow 'Keep waiting for new records after reaching the end, until killed (or -c is reached)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;describe'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;dump'= {
            cand --max-bytes 'Read at most this many bytes of each file'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand --print-data 'Also print each record''s offset, timestamp, key, value and headers, not just the batch headers (kafka-dump-log''s --print-data-log)'
            cand --verify 'Check every batch''s CRC and every index entry against the segment beside it, and report each mismatch'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;demo'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;completions'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
