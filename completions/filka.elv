
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
            cand produce 'Produce records to a topic from stdin (or a file), one record per line'
            cand consume 'Not built yet'
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
            cand -t 'The topic to write to'
            cand --topic 'The topic to write to'
            cand --input 'Read records from FILE instead of stdin ("-" is stdin)'
            cand --input-format 'How each input line is read'
            cand -K 'Split each line into key and value at the first SEP'
            cand --key-separator 'Split each line into key and value at the first SEP'
            cand -k 'The key of every record (with -K: of the lines without a separator)'
            cand --key 'The key of every record (with -K: of the lines without a separator)'
            cand -H 'Add a header to every record (repeat for more)'
            cand --header 'Add a header to every record (repeat for more)'
            cand -p 'Write every record to partition N instead of letting the partitioner choose'
            cand --partition 'Write every record to partition N instead of letting the partitioner choose'
            cand --null-value 'Produce a value equal to MARKER as a null value (a tombstone)'
            cand --batch-size 'Uncompressed bytes per partition batch before it is written (Kafka''s batch.size)'
            cand -z 'Compression codec of the batches [default: the topic''s compression.type]'
            cand --compression 'Compression codec of the batches [default: the topic''s compression.type]'
            cand --acks 'Wait for no replica (0), the leader (1) or every in-sync replica (all)'
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
            cand --no-create 'Fail with exit code 4 when the topic does not exist, instead of creating it'
            cand --print-offsets 'Print "partition<TAB>offset" for each record once it is acknowledged'
            cand --skip-invalid 'Report malformed lines on stderr and go on, instead of stopping with exit code 5'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Say more on stderr about what happens (repeat for more detail)'
            cand --verbose 'Say more on stderr about what happens (repeat for more detail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'filka;consume'= {
            cand --cluster 'The cluster directory, created on first use by commands that write'
            cand --output 'Output format: text for people, json for scripts'
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
