// A small Dockerfile reader for static checks (no Docker engine in tests): stages with their base and their
// instructions, comments dropped, backslash continuations joined, exec-form (JSON) arguments decoded.

export interface Instruction {
  keyword: string;
  /** The text after the keyword, continuations joined. */
  args: string;
  /** Flags such as --from=build, --chown=0:0. */
  flags: Record<string, string>;
  /** Exec form (["a", "b"]) decoded; undefined for shell form. */
  exec?: string[];
}

export interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical.filter((l) => l !== '')) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    let args = rest.join(' ');
    const flags: Record<string, string> = {};
    for (let m = /^--([a-z-]+)=(\S+)\s*/.exec(args); m; m = /^--([a-z-]+)=(\S+)\s*/.exec(args)) {
      flags[m[1] as string] = m[2] as string;
      args = args.slice(m[0].length);
    }
    const instruction: Instruction = { keyword: keyword.toUpperCase(), args, flags };
    if (args.startsWith('[')) instruction.exec = JSON.parse(args) as string[];
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = args.split(/\s+/);
      stages.push({ base, ...(as?.toUpperCase() === 'AS' && name && { name }), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before any FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}
