import { allCommands, type CompletedCommand, type CompletedOption } from './tree.js';

// The fish script: `__callbot_at PATH` tells whether the words before the cursor name that
// subcommand path (options and their values skipped); one `complete` line per subcommand, option
// and positional of each path, with its description. Words passed tree.ts's SAFE_WORD test;
// descriptions are single-quoted with fish's own escapes.

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function optionLine(path: string, option: CompletedOption): string {
  const parts = [`complete -c callbot -n ${quote(`__callbot_at ${quote(path)}`)}`];
  if (option.long) parts.push(`-l ${option.long.slice(2)}`);
  if (option.short) parts.push(`-s ${option.short.slice(1)}`);
  const value = option.value;
  if (value?.kind === 'file') parts.push('-r -F');
  else if (value?.kind === 'choices') parts.push(`-x -a ${quote(value.choices.join(' '))}`);
  else if (value) parts.push('-x');
  if (option.description) parts.push(`-d ${quote(option.description)}`);
  return parts.join(' ');
}

export function fishScript(tree: CompletedCommand, version: string, install: string): string {
  const commands = allCommands(tree);
  const at = (path: string) => `-n ${quote(`__callbot_at ${quote(path)}`)}`;
  const subcommandCases = commands
    .filter((c) => c.subcommands.length)
    .map((c) => `        case ${quote(c.path)}\n            printf '%s\\n' ${c.subcommands.map((s) => s.path.split(' ').at(-1)).join(' ')}`);
  const valueOptions = commands.flatMap((c) =>
    c.options.filter((o) => o.value).flatMap((o) => [o.long, o.short].filter((flag): flag is string => flag !== undefined).map((flag) => `${c.path}|${flag}`)),
  );
  const lines = commands.flatMap((c) => [
    ...c.subcommands.map((s) => `complete -c callbot ${at(c.path)} -a ${s.path.split(' ').at(-1)}${s.description ? ` -d ${quote(s.description)}` : ''}`),
    ...c.options.map((o) => optionLine(c.path, o)),
    ...(c.positional?.kind === 'file' ? [`complete -c callbot ${at(c.path)} -F`] : []),
    ...(c.positional?.kind === 'choices' ? [`complete -c callbot ${at(c.path)} -a ${quote(c.positional.choices.join(' '))}`] : []),
  ]);
  return `# fish completion for callbot (callbot-cli ${version}), written by \`callbot completion fish\`.
# Install: ${install}
# Made from the commands' own definitions: write it again after an upgrade.

function __callbot_subcommands
    switch "$argv[1]"
${subcommandCases.join('\n')}
    end
end

# The options that take a value, as PATH|FLAG: their next word is skipped.
set -g __callbot_value_options ${valueOptions.map(quote).join(' ')}

function __callbot_at --description 'whether the words before the cursor name this subcommand path'
    set -l cmdpath ''
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $word
            contains -- "$cmdpath|$word" $__callbot_value_options; and set skip 1
            continue
        end
        if contains -- $word (__callbot_subcommands $cmdpath)
            set cmdpath (string trim -- "$cmdpath $word")
        end
    end
    test "$cmdpath" = "$argv[1]"
end

complete -c callbot -f
${lines.join('\n')}
`;
}
