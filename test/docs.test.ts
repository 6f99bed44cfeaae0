/**
 * The documentation runs as written: every fenced `sh` block of README.md and docs/*.md is run
 * as one shell script (its lines in order, each line's exit code checked), and every `js`,
 * `mjs`, `cjs` and `ts` block as a module of a temporary project that imports 'p2pmarket', in a
 * temporary folder holding copies of scenarios/, data/ and schema/ — never in the repository.
 * `npx p2pmarket` and `p2pmarket` run this checkout's bin/p2pmarket.js (its dist/).
 *
 * An HTML comment on the lines before a block changes what is done with it, visibly in the
 * markdown:
 *   <!-- docs-test: check-only, <why> -->   each command is checked, not run: its options
 *       against `<command> --help`, its JSON inputs with `p2pmarket validate`, an npm script
 *       against package.json (for what takes too long: the year, long studies, the bench,
 *       npm test itself; or what needs a server);
 *   <!-- docs-test: redis -->   run against P2PMARKET_REDIS_URL, its redis:// URLs replaced by
 *       that one; without it, checked only (or failed when P2PMARKET_REDIS_TESTS=required);
 *   <!-- docs-test: expect "text" -->   the block's output must contain the text.
 * Plus every relative link of those files: the file exists and, with #anchor, so does the
 * heading.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, temporaryFolder } from './helpers/cli.ts';

/**
 * Links to pages that other branches write: allowed to be missing here, and only these.
 * docs/web.md — the market in a web page (the web branch).
 */
const PAGES_WRITTEN_ELSEWHERE = new Set(['docs/web.md']);

const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Block {
  file: string;
  line: number; // of the opening fence, 1-based
  lang: string;
  code: string;
  checkOnly: string | null; // the reason, when check-only
  redis: boolean;
  expects: string[];
}

function parseBlocks(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const code = lines.slice(i + 1, end).join('\n');
    // Markers: the HTML comments directly above the fence (blank lines between allowed).
    const markers: string[] = [];
    for (let k = i - 1; k >= 0; k--) {
      const l = lines[k]!.trim();
      if (l === '') continue;
      const m = /^<!--\s*docs-test:\s*(.*?)\s*-->$/.exec(l);
      if (!m) break;
      markers.push(m[1]!);
    }
    let checkOnly: string | null = null;
    let redis = false;
    const expects: string[] = [];
    for (const m of markers) {
      const check = /^check-only\b[,:\s]*(.*)$/.exec(m);
      if (check) checkOnly = check[1] || 'check only';
      else if (m === 'redis') redis = true;
      else if (/^expect\s+"/.test(m)) for (const e of m.matchAll(/expect\s+"([^"]*)"/g)) expects.push(e[1]!);
      else throw new Error(`${file}:${i}: unknown docs-test marker "${m}"`);
    }
    blocks.push({ file, line: i + 1, lang: open[1]!, code, checkOnly, redis, expects });
    i = end;
  }
  return blocks;
}

const ALL = FILES.flatMap(parseBlocks);
const SHELL = ALL.filter((b) => b.lang === 'sh');
const CODE = ALL.filter((b) => ['js', 'mjs', 'cjs', 'ts'].includes(b.lang));
const label = (b: Block) => `${b.file}:${b.line} (${b.lang})`;

const { workDir } = temporaryFolder('p2pmarket-docs-');
const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete ENV.FORCE_COLOR;
delete ENV.P2PMARKET_DEBUG;

/** A shim folder first on PATH: `npx p2pmarket …` and `p2pmarket …` run this checkout's command. */
const SHIMS = (() => {
  const dir = workDir('shims');
  const node = process.execPath;
  writeFileSync(join(dir, 'p2pmarket'), `#!/bin/sh\nexec "${node}" "${BIN}" "$@"\n`);
  writeFileSync(
    join(dir, 'npx'),
    `#!/bin/sh\nif [ "$1" = p2pmarket ]; then shift; exec "${node}" "${BIN}" "$@"; fi\necho "docs test: npx $1 is not an example this test runs" >&2\nexit 127\n`,
  );
  chmodSync(join(dir, 'p2pmarket'), 0o755);
  chmodSync(join(dir, 'npx'), 0o755);
  return dir;
})();

/** A fresh working folder: copies of the inputs, this package.json and its bin (for npm start), node_modules/p2pmarket. */
function workFolder(name: string, npmScripts: boolean): string {
  const dir = workDir(name.replace(/[^\w.-]+/g, '-'));
  for (const d of ['scenarios', 'data', 'schema']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  if (npmScripts) {
    // For `npm start` and the like; not beside code examples, where a package.json named
    // p2pmarket would make `import 'p2pmarket'` refer to this folder itself.
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'bin'), join(dir, 'bin'));
  }
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'p2pmarket'));
  return dir;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, timeout: timeoutMs });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, out }));
  });
}

/** The block's logical lines: continuations joined, comment-only lines dropped. */
function logicalLines(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The shell script of a block: every line's exit code checked, the failing line named. */
function script(code: string): string {
  const body = logicalLines(code).map((l) => {
    if (/&$/.test(l)) return l; // started in the background; waited for by a later line
    const quoted = l.replace(/'/g, `'\\''`);
    return `${l}\n__rc=$?; if [ $__rc -ne 0 ]; then echo 'docs test: exit '$__rc' from: ${quoted}' >&2; exit $__rc; fi`;
  });
  return ['#!/bin/bash', ...body, ''].join('\n');
}

const HELP_CACHE = new Map<string, Promise<string>>();
function helpOf(sub: string[], cwd: string): Promise<string> {
  const key = sub.join(' ');
  if (!HELP_CACHE.has(key)) {
    HELP_CACHE.set(
      key,
      run(process.execPath, [BIN, ...sub, '--help'], cwd, ENV, 30_000).then((r) => {
        if (r.code !== 0) throw new Error(`p2pmarket ${key} --help exited ${r.code}: ${r.out}`);
        return r.out;
      }),
    );
  }
  return HELP_CACHE.get(key)!;
}
/** `p2pmarket validate` of a bundled input, once per path (every work folder holds the same copies). */
const VALIDATED = new Map<string, Promise<Run>>();
function validated(input: string, cwd: string): Promise<Run> {
  if (!VALIDATED.has(input)) VALIDATED.set(input, run(process.execPath, [BIN, 'validate', '--quiet', input], cwd, ENV, 300_000));
  return VALIDATED.get(input)!;
}
const GLOBAL_HELP_OPTIONS = ['--limit', '--help', '--version'];
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Checks one command without running it; returns what was done. */
async function checkCommand(command: string, cwd: string): Promise<string> {
  const words = command
    .replace(/\s[12]?>\s*\S+/g, ' ') // redirections
    .replace(/\s*&$/, '')
    .split(/\s+/)
    .filter((w) => w !== '' && !/^[A-Z_][A-Z0-9_]*=/.test(w)); // leading VAR=value
  if (words[0] === 'npx' && words[1] === 'p2pmarket') words.shift();
  if (words[0] === 'p2pmarket') {
    const args = words.slice(1);
    const sub: string[] = [];
    for (const w of args) {
      if (w.startsWith('-') || w.includes('.') || w.includes('/')) break;
      sub.push(w);
    }
    const help = await helpOf(sub, cwd);
    for (const w of args.filter((a) => /^--?[a-z]/i.test(a))) {
      const option = w.split('=')[0]!;
      const known = GLOBAL_HELP_OPTIONS.includes(option) || new RegExp(`(^|[\\s,])${option.replace(/[-]/g, '\\-')}([\\s,=<]|$)`, 'm').test(help);
      expect(known, `p2pmarket ${sub.join(' ')}: option ${option} is not in its --help`).toBe(true);
    }
    const inputs = args.filter((a) => a.endsWith('.json') && existsSync(join(cwd, a)));
    for (const input of inputs) {
      const v = await validated(input, cwd);
      expect(v.code, `p2pmarket validate ${input}: ${v.out}`).toBe(0);
    }
    return `checked p2pmarket ${sub.join(' ')} (options against --help${inputs.length ? `; validated ${inputs.join(', ')}` : ''})`;
  }
  if (words[0] === 'npm') {
    const [, verb, name] = words;
    if (verb === 'ci') {
      expect(existsSync(join(ROOT, 'package-lock.json'))).toBe(true);
      return 'checked npm ci (package-lock.json exists)';
    }
    const scriptName = verb === 'run' ? name! : verb!;
    if (['start', 'test', 'run'].includes(verb!)) {
      expect(PACKAGE.scripts[scriptName], `npm script ${scriptName}`).toBeTruthy();
      return `checked npm ${verb === 'run' ? `run ${scriptName}` : scriptName} (the script exists in package.json)`;
    }
    return `not run: ${words.join(' ')} (installs into another project)`;
  }
  return `not run: ${words.join(' ')}`;
}

/** What was run or checked, by file and line (in each block, its lines in order); printed at the end. */
const REPORT: { file: string; line: number; text: string }[] = [];
const report = (b: Block, text: string) => REPORT.push({ file: b.file, line: b.line, text: `${label(b)} ${text}` });
afterAll(() => {
  const order = (r: { file: string; line: number }) => FILES.indexOf(r.file) * 1e6 + r.line;
  const lines = [...REPORT].sort((a, b) => order(a) - order(b)).map((r) => r.text);
  const count = (tag: string) => REPORT.filter((r) => r.text.includes(tag)).length;
  console.log(
    `docs test: ${count('[ran]')} commands and examples run, ${count('[check-only')} commands checked only, ${count('[type-checked]')} examples type-checked\n${lines.join('\n')}`,
  );
});

describe.concurrent('every sh block of the docs', () => {
  for (const block of SHELL) {
    it(label(block), async () => {
      const cwd = workFolder(`${block.file}-${block.line}`, true);
      let mode: 'run' | 'check' = block.checkOnly === null ? 'run' : 'check';
      let code = block.code;
      let why = block.checkOnly ?? '';
      if (block.redis) {
        const url = process.env.P2PMARKET_REDIS_URL;
        if (url) code = code.replace(/rediss?:\/\/[^\s]+/g, url);
        else if (process.env.P2PMARKET_REDIS_TESTS === 'required') throw new Error(`${label(block)} needs P2PMARKET_REDIS_URL (P2PMARKET_REDIS_TESTS=required)`);
        else {
          mode = 'check';
          why = 'no P2PMARKET_REDIS_URL';
        }
      }
      if (mode === 'check') {
        for (const line of logicalLines(code)) {
          for (const part of line.split(/\s*&&\s*/)) report(block, `[check-only: ${why}] ${await checkCommand(part, cwd)}`);
        }
        return;
      }
      writeFileSync(join(cwd, '.docs-block.sh'), script(code));
      const r = await run('/bin/bash', ['.docs-block.sh'], cwd, { ...ENV, PATH: `${SHIMS}:${ENV.PATH}` }, 900_000);
      expect(r.code, `${label(block)}:\n${r.out.slice(-4000)}`).toBe(0);
      for (const e of block.expects) expect(r.out, `${label(block)} should print "${e}"`).toContain(e);
      for (const line of logicalLines(code)) report(block, `[ran] ${line}`);
    }, 1_200_000);
  }
});

describe.concurrent('every code example of the docs', () => {
  for (const block of CODE) {
    it(label(block), async () => {
      expect(block.checkOnly, 'code examples always run').toBeNull();
      const cwd = workFolder(`${block.file}-${block.line}`, false);
      const ext = block.lang === 'cjs' ? 'cjs' : 'mjs';
      const source = block.lang === 'ts' ? (await transform(block.code, { loader: 'ts', format: 'esm', target: 'node20' })).code : block.code;
      const file = `example.${ext}`;
      writeFileSync(join(cwd, file), source);
      const r = await run(process.execPath, [file], cwd, ENV, 900_000);
      expect(r.code, `${label(block)}:\n${r.out.slice(-4000)}`).toBe(0);
      for (const e of block.expects) expect(r.out, `${label(block)} should print "${e}"`).toContain(e);
      report(block, `[ran] node ${file}${block.lang === 'ts' ? ' (types stripped by esbuild)' : ''}`);
    }, 1_200_000);
  }
});

it.concurrent('the TypeScript examples type-check against the package\'s declarations (tsc, strict)', async () => {
  const ts = CODE.filter((b) => b.lang === 'ts');
  const cwd = workFolder('typecheck', false);
  const files = ts.map((b, k) => {
    const name = `example-${k}.mts`;
    writeFileSync(join(cwd, name), b.code);
    return name;
  });
  writeFileSync(
    join(cwd, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true,
        typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'],
      },
      files,
    }),
  );
  const r = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], cwd, ENV, 300_000);
  expect(r.code, `${ts.map(label).join(', ')}:\n${r.out}`).toBe(0);
  for (const b of ts) report(b, '[type-checked] tsc --strict against dist/index.d.ts');
}, 600_000);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let code = false;
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    if (l.startsWith('```')) code = !code;
    const m = !code && /^#{1,6}\s+(.*)$/.exec(l);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('links', () => {
  it('finds the blocks it is meant to run', () => {
    expect(FILES).toContain('docs/commands.md');
    expect(SHELL.length).toBeGreaterThan(30);
    expect(CODE.length).toBeGreaterThanOrEqual(4);
    // The CI runs the README's test command: a sh block holding exactly `npm test`.
    expect(parseBlocks('README.md').some((b) => b.lang === 'sh' && b.code.split('\n').includes('npm test'))).toBe(true);
  });

  for (const file of FILES) {
    it(`every relative link of ${file} resolves`, () => {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      const broken: string[] = [];
      for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const abs = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), path);
        const rel = relative(ROOT, abs);
        if (!existsSync(abs)) {
          if (!PAGES_WRITTEN_ELSEWHERE.has(rel)) broken.push(`${target} (no file ${rel})`);
          continue;
        }
        if (anchor && abs.endsWith('.md') && !anchors(abs).has(anchor)) broken.push(`${target} (no heading #${anchor} in ${rel})`);
      }
      expect(broken).toEqual([]);
    });
  }
});
