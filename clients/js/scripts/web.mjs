// Copies the compiled client into the service's web root, where the demo page loads it as ES
// modules, so that `mvn package` and the Docker build need no Node. openapi-fetch, the one runtime
// dependency, is copied beside it (its self-contained ES module build) and the bare import
// 'openapi-fetch', which a browser cannot resolve without an import map (an inline import map
// would need 'unsafe-inline' in the CSP), becomes the relative './openapi-fetch.js'.
//
// Usage: node scripts/web.mjs [compiled-dir] [web-dir]   (defaults: dist, the demo's client folder)
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIR = resolve(root, '../../src/main/resources/webroot/demo/client');

export function buildWeb(compiledDir, webDir) {
  rmSync(webDir, { recursive: true, force: true });
  mkdirSync(webDir, { recursive: true });
  for (const name of readdirSync(compiledDir).filter((f) => f.endsWith('.js')).sort()) {
    const code = readFileSync(join(compiledDir, name), 'utf8')
      .replace(/from 'openapi-fetch';/g, "from './openapi-fetch.js';");
    writeFileSync(join(webDir, name), code);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/openapi-fetch/package.json'), 'utf8'));
  const vendored = readFileSync(join(root, 'node_modules/openapi-fetch/dist/index.mjs'), 'utf8')
    .replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  writeFileSync(join(webDir, 'openapi-fetch.js'),
    `// openapi-fetch ${pkg.version} (${pkg.license} licence, https://github.com/openapi-ts/openapi-typescript), its dist/index.mjs unchanged.\n` + vendored);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildWeb(resolve(root, process.argv[2] ?? 'dist'), process.argv[3] ? resolve(process.argv[3]) : WEB_DIR);
}
