import { allCommands, type CompletedCommand, type ValueKind } from './tree.js';

// The bash and zsh scripts: the tree as four lookup functions (`case` statements, the same
// syntax in both shells), then each shell's own completion function over them. Every word put
// into the script passed tree.ts's SAFE_WORD test (no quotes, spaces or `$`), so none is quoted.

const kindText = (value: ValueKind): string => (value.kind === 'choices' ? `choices:${value.choices.join(' ')}` : value.kind);

function lookups(tree: CompletedCommand): string {
  const commands = allCommands(tree);
  const branch = (key: string, body: string) => `    "${key}") ${body} ;;`;
  const subcommands = commands
    .filter((c) => c.subcommands.length)
    .map((c) => branch(c.path, `echo "${c.subcommands.map((s) => s.path.split(' ').at(-1)).join(' ')}"`));
  const options = commands.map((c) =>
    branch(c.path, `echo "${c.options.flatMap((o) => [o.long, o.short].filter((flag): flag is string => flag !== undefined)).join(' ')}"`),
  );
  const values = commands.flatMap((c) =>
    c.options.flatMap((o) =>
      o.value
        ? [o.long, o.short].filter((flag): flag is string => flag !== undefined).map((flag) => branch(`${c.path}|${flag}`, `echo "${kindText(o.value!)}"`))
        : [],
    ),
  );
  const positionals = commands.filter((c) => c.positional).map((c) => branch(c.path, `echo "${kindText(c.positional!)}"`));
  const fn = (name: string, args: string, lines: string[]) => `${name}() {\n  case "${args}" in\n${lines.join('\n')}\n  esac\n}`;
  return [
    '# The command tree (from the commands’ own definitions).',
    fn('__callbot_subcommands', '$1', subcommands),
    fn('__callbot_options', '$1', options),
    '# What the word after an option is: file, any, or choices:A B C (nothing: the option takes no value).',
    fn('__callbot_value', '$1|$2', values),
    '# What a positional word of a command is.',
    fn('__callbot_positional', '$1', positionals),
    '# The subcommand path of the words before the cursor (`task create`), options and their values skipped.',
    `__callbot_path() {
  local cmdpath="" word skip="" subs
  for word in "$@"; do
    if [ -n "$skip" ]; then skip=""; continue; fi
    case "$word" in
      --*=*) continue ;;
      -*) [ -n "$(__callbot_value "$cmdpath" "$word")" ] && skip=1; continue ;;
    esac
    subs=" $(__callbot_subcommands "$cmdpath") "
    case "$subs" in *" $word "*) cmdpath="\${cmdpath:+$cmdpath }$word" ;; esac
  done
  echo "$cmdpath"
}`,
  ].join('\n\n');
}

const header = (shell: string, version: string, install: string) =>
  `# ${shell} completion for callbot (callbot-cli ${version}), written by \`callbot completion ${shell}\`.\n# Install: ${install}\n# Made from the commands' own definitions: write it again after an upgrade.`;

export function bashScript(tree: CompletedCommand, version: string, install: string): string {
  return `${header('bash', version, install)}

${lookups(tree)}

_callbot() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath kind subs
  [ "$COMP_CWORD" -gt 1 ] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmdpath="$(__callbot_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  COMPREPLY=()
  kind="$(__callbot_value "$cmdpath" "$prev")"
  if [ -z "$kind" ]; then
    case "$cur" in
      -*)
        COMPREPLY=($(compgen -W "$(__callbot_options "$cmdpath")" -- "$cur"))
        return 0 ;;
    esac
    subs="$(__callbot_subcommands "$cmdpath")"
    if [ -n "$subs" ]; then
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
      return 0
    fi
    kind="$(__callbot_positional "$cmdpath")"
  fi
  case "$kind" in
    file)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur")) ;;
    choices:*) COMPREPLY=($(compgen -W "\${kind#choices:}" -- "$cur")) ;;
  esac
  return 0
}

complete -F _callbot callbot
`;
}

export function zshScript(tree: CompletedCommand, version: string, install: string): string {
  return `#compdef callbot
${header('zsh', version, install)}

${lookups(tree)}

_callbot() {
  local cmdpath kind subs
  cmdpath="$(__callbot_path "\${(@)words[2,CURRENT-1]}")"
  kind="$(__callbot_value "$cmdpath" "\${words[CURRENT-1]}")"
  if [[ -z $kind ]]; then
    if [[ $PREFIX == -* ]]; then
      compadd -- \${=$(__callbot_options "$cmdpath")}
      return
    fi
    subs="$(__callbot_subcommands "$cmdpath")"
    if [[ -n $subs ]]; then
      compadd -- \${=subs}
      return
    fi
    kind="$(__callbot_positional "$cmdpath")"
  fi
  case "$kind" in
    file) _files ;;
    choices:*) compadd -- \${=kind#choices:} ;;
  esac
}

# Autoloaded from $fpath (this file named _callbot) the function runs; sourced, it is registered.
if [[ "\${funcstack[1]}" == "_callbot" ]]; then
  _callbot "$@"
else
  compdef _callbot callbot
fi
`;
}
