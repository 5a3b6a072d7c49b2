
set edit:completion:arg-completer[filka] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) FILKA_COMPLETE="elvish" filka -- $@words) | to-lines
}

