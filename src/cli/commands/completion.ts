/** `vtg completion bash|zsh|fish`: shell completion generated from the command tree. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { action, examples } from './common.js';

interface Node {
  path: string[];
  flags: string[];
  subcommands: string[];
  description: string;
  options: Array<{ long?: string; short?: string; description: string }>;
}

function walk(cmd: Command, path: string[], out: Node[]): void {
  const options = cmd.options.map((o) => ({ long: o.long, short: o.short, description: o.description }));
  out.push({
    path,
    flags: cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x)),
    subcommands: cmd.commands.map((c) => c.name()),
    description: cmd.description(),
    options,
  });
  for (const sub of cmd.commands) walk(sub, [...path, sub.name()], out);
}

function bash(nodes: Node[], globals: string[]): string {
  const subs = nodes.filter((n) => n.path.length > 0);
  const cases = subs.map((n) => `    ${JSON.stringify(n.path.join(' '))}) opts=${JSON.stringify([...n.subcommands, ...n.flags, ...globals].join(' '))} ;;`).join('\n');
  const top = nodes.find((n) => n.path.length === 0) as Node;
  return `# vtg bash completion: source <(vtg completion bash)
_vtg_paths=${JSON.stringify(subs.map((n) => n.path.join(' ')).join('|'))}
_vtg() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" cand w i opts
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    cand="\${path:+$path }$w"
    case "|$_vtg_paths|" in *"|$cand|"*) path="$cand" ;; esac
  done
  case "$path" in
${cases}
    *) opts=${JSON.stringify([...top.subcommands, ...top.flags].join(' '))} ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -o default -F _vtg vtg
`;
}

function zsh(nodes: Node[], globals: string[]): string {
  return `#compdef vtg
# vtg zsh completion: source <(vtg completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(nodes, globals)}`;
}

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fish(nodes: Node[]): string {
  const lines = ['# vtg fish completion: vtg completion fish | source'];
  for (const n of nodes) {
    const cond =
      n.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    if (n.path.length === 0) {
      for (const o of n.options) {
        lines.push(`complete -c vtg${o.long ? ` -l ${o.long.slice(2)}` : ''}${o.short ? ` -s ${o.short.slice(1)}` : ''} -d ${fishQuote(o.description)}`);
      }
    }
    for (const sub of nodes.filter((m) => m.path.length === n.path.length + 1 && m.path.slice(0, -1).join(' ') === n.path.join(' '))) {
      lines.push(`complete -c vtg -n ${fishQuote(cond)} -a ${sub.path[sub.path.length - 1]} -d ${fishQuote(sub.description)}`);
    }
    if (n.path.length > 0) {
      for (const o of n.options) {
        lines.push(`complete -c vtg -n ${fishQuote(cond)}${o.long ? ` -l ${o.long.slice(2)}` : ''}${o.short ? ` -s ${o.short.slice(1)}` : ''} -d ${fishQuote(o.description)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerCompletion(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('completion')
    .description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .action(action(ctx, async (shell: string) => {
      const nodes: Node[] = [];
      walk(program, [], nodes);
      const globals = (nodes[0] as Node).flags.filter((f) => f.startsWith('--'));
      let script: string;
      if (shell === 'bash') script = bash(nodes, globals);
      else if (shell === 'zsh') script = zsh(nodes, globals);
      else if (shell === 'fish') script = fish(nodes);
      else throw new UsageError(`unknown shell "${shell}" (use bash, zsh or fish)`);
      ctx.io.stdout.write(script);
      return EXIT.ok;
    }));
  examples(cmd, ['source <(vtg completion bash)      # add to ~/.bashrc', 'vtg completion zsh > ~/.zfunc/_vtg', 'vtg completion fish > ~/.config/fish/completions/vtg.fish']);
}
