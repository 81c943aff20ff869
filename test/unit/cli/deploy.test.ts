/**
 * The container image definition and the Kubernetes Job manifest cannot be built or applied here (no
 * container engine, no cluster), so their invariants are checked as text: the Dockerfile's runtime
 * stage runs as a non-root user, has production dependencies only and the CLI as its entrypoint; the
 * manifest parses (a small parser for the block-style YAML subset it is written in) and uses only
 * settings the CLI knows, with the password from a Secret.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../../src/cli/config.js';
import { addRunOptions } from '../../../src/cli/commands/run.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

type Yaml = string | number | boolean | null | Yaml[] | { [k: string]: Yaml };

/**
 * Parses the block-style YAML subset of deploy/ (mappings, sequences, plain/quoted scalars, flow
 * sequences of scalars, `{}`, comments). Throws, naming the line, on anything else — so a manifest that
 * drifts outside the subset fails here rather than being half-read.
 */
function parseYaml(text: string): Yaml {
  const lines = text.split('\n').map((raw, i) => ({ n: i + 1, raw: raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '') }))
    .filter((l) => l.raw.trim() !== '')
    .map((l) => ({ n: l.n, indent: l.raw.length - l.raw.trimStart().length, text: l.raw.trim() }));
  let i = 0;
  const scalar = (s: string, n: number): Yaml => {
    if (s === '{}') return {};
    if (s.startsWith('[')) {
      if (!s.endsWith(']')) throw new Error(`line ${n}: unterminated flow sequence`);
      const inner = s.slice(1, -1).trim();
      return inner === '' ? [] : inner.split(',').map((x) => scalar(x.trim(), n));
    }
    if (s.startsWith('"')) { if (!s.endsWith('"') || s.length < 2) throw new Error(`line ${n}: unterminated string`); return JSON.parse(s) as string; }
    if (s.startsWith("'")) { if (!s.endsWith("'") || s.length < 2) throw new Error(`line ${n}: unterminated string`); return s.slice(1, -1).replace(/''/g, "'"); }
    if (/^-?\d+$/.test(s)) return Number(s);
    if (s === 'true' || s === 'false') return s === 'true';
    if (s === 'null' || s === '~') return null;
    if (/^[&*!|>%@`]/.test(s)) throw new Error(`line ${n}: unsupported YAML (${s})`);
    return s;
  };
  const block = (indent: number): Yaml => {
    const first = lines[i];
    if (!first || first.indent !== indent) throw new Error(`line ${first?.n ?? 'EOF'}: expected indentation ${indent}`);
    if (first.text.startsWith('- ') || first.text === '-') {
      const out: Yaml[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('-')) {
        const l = lines[i]!;
        const rest = l.text.slice(1).trim();
        if (rest === '') { i++; out.push(block(lines[i]!.indent)); continue; }
        if (/^[^"'[{][^:]*:(\s|$)/.test(rest)) {
          // "- key: value" opens a mapping whose keys sit two columns in
          lines[i] = { n: l.n, indent: indent + 2, text: rest };
          out.push(block(indent + 2));
        } else { out.push(scalar(rest, l.n)); i++; }
      }
      return out;
    }
    const out: { [k: string]: Yaml } = {};
    while (i < lines.length && lines[i]!.indent === indent) {
      const l = lines[i]!;
      const m = /^([A-Za-z0-9_.\-/]+):(?:\s+(.*))?$/.exec(l.text);
      if (!m) throw new Error(`line ${l.n}: expected "key: value" (got ${l.text})`);
      const key = m[1]!;
      if (key in out) throw new Error(`line ${l.n}: duplicate key ${key}`);
      i++;
      if (m[2] !== undefined && m[2] !== '') out[key] = scalar(m[2], l.n);
      else if (i < lines.length && lines[i]!.indent > indent) out[key] = block(lines[i]!.indent);
      else if (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('-')) out[key] = block(indent);
      else out[key] = null;
    }
    if (i < lines.length && lines[i]!.indent > indent) throw new Error(`line ${lines[i]!.n}: unexpected indentation`);
    return out;
  };
  const doc = block(0);
  if (i !== lines.length) throw new Error(`line ${lines[i]!.n}: not part of the document`);
  return doc;
}

const obj = (v: Yaml | undefined, what: string): { [k: string]: Yaml } => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: expected a mapping`);
  return v;
};
const arr = (v: Yaml | undefined, what: string): Yaml[] => {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a sequence`);
  return v;
};

describe('Dockerfile', () => {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = text.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const stages: string[][] = [];
  for (const l of instructions) {
    if (/^FROM\s/i.test(l)) stages.push([]);
    stages.at(-1)?.push(l);
  }
  const runtime = stages.at(-1) ?? [];

  it('is multi-stage: the build stage has the dev dependencies, the runtime stage does not build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.some((l) => /^RUN\s.*\bnpm ci\b(?!.*--omit)/.test(l)), 'build stage: npm ci with dev dependencies').toBe(true);
    expect(instructions.some((l) => /^RUN\s.*\bnpm ci --omit=dev\b/.test(l)), 'production dependencies: npm ci --omit=dev').toBe(true);
    expect(runtime.some((l) => /\bnpm (ci|install)\b/.test(l)), 'the runtime stage installs nothing itself').toBe(false);
    expect(runtime.some((l) => /^COPY --from=\S+ \S*dist\b/.test(l)), 'runtime gets dist/ from the build stage').toBe(true);
    expect(runtime.some((l) => /^COPY --from=\S+ \S*node_modules\b/.test(l)), 'runtime gets the production node_modules').toBe(true);
  });

  it('runs as a non-root numeric user, with the CLI as entrypoint', () => {
    const users = runtime.filter((l) => /^USER\s/i.test(l));
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.replace(/^USER\s+/i, '').trim();
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).not.toBe(0);
    const entry = runtime.find((l) => /^ENTRYPOINT\s/i.test(l));
    expect(entry).toBeDefined();
    const argv = JSON.parse(entry!.replace(/^ENTRYPOINT\s+/i, '')) as string[];
    expect(argv[0]).toBe('node');
    expect(argv[1]).toMatch(/bin\/xmlmigrate\.js$/);
    // the entrypoint script is the package's bin and is copied into the runtime stage
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(argv[1]!.endsWith(pkg.bin['xmlmigrate']!)).toBe(true);
    expect(runtime.some((l) => /^COPY\s+bin\b/.test(l))).toBe(true);
  });
});

describe('deploy/kubernetes/job.yaml', () => {
  const doc = obj(parseYaml(readFileSync(path.join(ROOT, 'deploy', 'kubernetes', 'job.yaml'), 'utf8')), 'document');
  const spec = obj(doc['spec'], 'spec');
  const pod = obj(obj(spec['template'], 'template')['spec'], 'template.spec');
  const containers = arr(pod['containers'], 'containers').map((c, i) => obj(c, `containers[${i}]`));

  it('is a batch/v1 Job of parallel pods that run as non-root', () => {
    expect(doc['apiVersion']).toBe('batch/v1');
    expect(doc['kind']).toBe('Job');
    expect(Number(spec['parallelism'])).toBeGreaterThan(1);
    expect(['OnFailure', 'Never']).toContain(pod['restartPolicy']);
    expect(obj(pod['securityContext'], 'securityContext')['runAsNonRoot']).toBe(true);
    expect(containers).toHaveLength(1);
  });

  it('uses only XMLMIGRATE_* variables and run flags the CLI knows; the password comes from a Secret', () => {
    const c = containers[0]!;
    const known = new Set([...Object.values(ENV_NAMES), 'XMLMIGRATE_TARGET_PASSWORD', 'XMLMIGRATE_SOURCE_PASSWORD', 'XMLMIGRATE_CONFIG']);
    const env = arr(c['env'], 'env').map((e, i) => obj(e, `env[${i}]`));
    for (const e of env) expect(known, `env ${String(e['name'])}`).toContain(e['name']);
    const password = env.find((e) => e['name'] === 'XMLMIGRATE_TARGET_PASSWORD');
    expect(password, 'XMLMIGRATE_TARGET_PASSWORD is set').toBeDefined();
    expect(password!['value'], 'no literal password').toBeUndefined();
    const ref = obj(obj(password!['valueFrom'], 'valueFrom')['secretKeyRef'], 'secretKeyRef');
    expect(typeof ref['name']).toBe('string');
    expect(typeof ref['key']).toBe('string');
    // no password inside a URL either
    for (const e of env) if (typeof e['value'] === 'string') expect(e['value']).not.toMatch(/:\/\/[^/@:]+:[^/@]+@/);
    // the args are a `run` command line the CLI accepts: every flag is a run option
    const args = arr(c['args'], 'args').map(String);
    expect(args[0]).toBe('run');
    const cmd = addRunOptions(new Command('run'));
    const flags = new Set(cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => typeof x === 'string')));
    for (const a of args.slice(1).filter((x) => x.startsWith('-'))) expect(flags, `flag ${a}`).toContain(a);
    // shard arguments are not needed: the pods share the work through claims
    expect(args.some((a) => a === '--shard' || a === '--no-claims')).toBe(false);
    expect(env.some((e) => e['name'] === 'XMLMIGRATE_SHARD' || e['name'] === 'XMLMIGRATE_CLAIMS')).toBe(false);
  });

  it('the parser refuses what it does not understand', () => {
    expect(() => parseYaml('a: 1\n  b: 2\n')).toThrow(/line 2/);
    expect(() => parseYaml('a: &anchor 1\n')).toThrow(/unsupported/);
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/duplicate/);
    expect(parseYaml('a:\n  - name: x\n    value: "2"\n  - y\nb: [1, "z"]\n')).toEqual({ a: [{ name: 'x', value: '2' }, 'y'], b: [1, 'z'] });
  });
});
