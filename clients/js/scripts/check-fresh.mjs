// Checks that what is committed is what the source builds: src/openapi.ts against a fresh
// openapi-typescript run on the service's OpenAPI document, and the JavaScript in the web root
// against a fresh tsc build. Exits 1 with the differing files named; rebuild with
// `npm run generate && npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEB_DIR, buildWeb } from './web.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'avatar-client-fresh-'));
const problems = [];

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
}

function compareDirs(expectedDir, actualDir, label) {
  const expected = readdirSync(expectedDir).sort();
  const actual = readdirSync(actualDir).sort();
  for (const name of new Set([...expected, ...actual])) {
    if (!expected.includes(name)) {
      problems.push(`${label}/${name} is committed but the build does not make it`);
    } else if (!actual.includes(name)) {
      problems.push(`${label}/${name} is missing (the build makes it)`);
    } else if (readFileSync(join(expectedDir, name), 'utf8') !== readFileSync(join(actualDir, name), 'utf8')) {
      problems.push(`${label}/${name} differs from a fresh build`);
    }
  }
}

try {
  const types = join(work, 'openapi.ts');
  run(['node_modules/openapi-typescript/bin/cli.js', '../../src/main/resources/openapi.yaml', '--output', types]);
  if (readFileSync(types, 'utf8') !== readFileSync(join(root, 'src/openapi.ts'), 'utf8')) {
    problems.push('src/openapi.ts differs from a fresh openapi-typescript run on openapi.yaml');
  }
  const compiled = join(work, 'dist');
  run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--outDir', compiled]);
  const web = join(work, 'web');
  buildWeb(compiled, web);
  compareDirs(web, WEB_DIR, 'src/main/resources/webroot/demo/client');
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`The committed client is stale; run \`npm run generate && npm run build\` in clients/js:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('The committed types and web build match a fresh build.');
