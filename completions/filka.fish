complete --keep-order --exclusive --command filka --arguments "(FILKA_COMPLETE=fish filka -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
