// The puller as one self-contained CommonJS file: only what puller/main.ts imports (client-node, the S3/SQS/KMS
// clients, the puller use-cases), so its image carries no fauxqs, isomorphic-git, kubectl layer or SST.
// What loading it costs in memory is measured by bench/puller-footprint.ts; the plugins below are why it is small.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');

export interface PullerBundle {
  file: string;
  bytes: number;
  /** Packages the bundle took code from (from esbuild's metafile), for checking what ships. */
  packages: string[];
}

export async function bundlePuller(
  outfile = join(root, 'puller', 'dist', 'puller.cjs'),
): Promise<PullerBundle> {
  const result = await build({
    entryPoints: [join(root, 'puller', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // Packages' ES module builds where they have one: the AWS SDK's CommonJS builds are each one file that
    // makes every command, schema and error class of its service when loaded (a getter per export), where
    // its ES modules let esbuild keep what the puller calls. 1.9 MiB less resident, 180 KB less source.
    mainFields: ['module', 'main'],
    // CommonJS: the libraries' own CommonJS needs no require made for it, and Node runs the file without
    // an ES module job (about 0.1 MiB less resident, bench/puller-footprint.ts).
    format: 'cjs',
    target: 'node24',
    minify: true,
    legalComments: 'none',
    metafile: true,
    plugins: [
      undiciWhatClientNodeUses,
      llhttpFromFiles(dirname(outfile)),
      clientNodeWithoutModels,
      clientNodeWithoutSideEffects,
      builtinsThroughRequire,
    ],
    logLevel: 'silent',
  });
  asciiOnly(outfile);
  const packages = new Set<string>();
  // What the output holds, not every file esbuild read: a module tree-shaken away ships nothing.
  for (const output of Object.values(result.metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      if (match?.[1] && bytesInOutput > 0) packages.add(match[1]);
    }
  return { file: outfile, bytes: statSync(outfile).size, packages: [...packages].sort() };
}

/**
 * client-node's index re-exports every module it has (watch, exec, attach, port-forward, cp, metrics, all
 * generated APIs). Its modules only declare things, except the File polyfill, but its package.json does not
 * say so, so esbuild keeps every module the index names. Told, it keeps only what the puller reaches.
 */
const clientNodeWithoutSideEffects: Plugin = {
  name: 'client-node-without-side-effects',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const fromClientNode = args.importer.includes('/@kubernetes/client-node/dist/');
      if (args.path !== '@kubernetes/client-node' && !(fromClientNode && args.path.startsWith('.')))
        return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0 || resolved.path.endsWith('/polyfill.js')) return resolved;
      return { ...resolved, sideEffects: false };
    });
  },
};

/**
 * client-node's serializer names every generated model (757 classes, 360 KB of source, each with its field
 * table built when loaded) so that it can encode and decode built-in kinds through them. The puller never
 * does: it sends objects as given and reads them as the API server wrote them (client-node-cluster.ts),
 * because the typed encoding drops what its models do not know. Without the table every kind is encoded
 * and decoded as it is, which is what the puller already does for custom resources. The build fails if
 * client-node's file no longer has the shape this relies on.
 */
const clientNodeWithoutModels: Plugin = {
  name: 'client-node-without-models',
  setup(b) {
    b.onLoad(
      { filter: /@kubernetes\/client-node\/dist\/gen\/models\/ObjectSerializer\.js$/ },
      async (args) => {
        const text = await readFile(args.path, 'utf8');
        const imports = /^import \{ \w+ \} from '\.\.\/models\/\w+\.js';\n/gm;
        const table = /^let typeMap = \{\n(?: {4}"\w+": \w+,\n)+\};$/m;
        if (!table.test(text) || (text.match(imports)?.length ?? 0) < 100)
          throw new Error(
            `${args.path}: no model imports and type table where the puller's bundle expects them`,
          );
        return { contents: text.replace(imports, '').replace(table, 'let typeMap = {};'), loader: 'js' };
      },
    );
  },
};

/**
 * client-node takes `fetch`, `Agent` and `ProxyAgent` from undici, whose index (CommonJS, so nothing is
 * tree-shaken) also loads its mock agents, caches (and node:sqlite), web sockets, EventSource, cookies and
 * interceptors: 180 KB of source the puller keeps in memory and never runs. This entry exports only those
 * three, after what undici's index does that they rely on (the request API on every dispatcher). undici's
 * experimental HTTP/1 parser Milo (off unless UNDICI_USE_MILO is set; 150 KB of WebAssembly as base64) is
 * left out too: llhttp, undici's default, parses.
 */
const undiciWhatClientNodeUses: Plugin = {
  name: 'undici-what-client-node-uses',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) =>
      args.importer.includes('/@kubernetes/client-node/dist/')
        ? { path: 'undici', namespace: 'undici-entry' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'undici-entry' }, () => ({
      contents: `'use strict';
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
Object.assign(Dispatcher.prototype, require('undici/lib/api'));
module.exports = {
  fetch: require('undici/lib/web/fetch').fetch,
  Agent: require('undici/lib/dispatcher/agent'),
  ProxyAgent: require('undici/lib/dispatcher/proxy-agent'),
};`,
      resolveDir: root,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/parser-h1\.js$/ }, (args) =>
      args.importer.includes('/undici/lib/dispatcher/')
        ? { path: 'parser-h1', namespace: 'undici-without-milo' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'undici-without-milo' }, () => ({
      contents: 'module.exports = { getMiloEnabled: () => false };',
      loader: 'js',
    }));
  },
};

/**
 * undici's HTTP/1 parser, llhttp, is WebAssembly that undici carries as base64 text, twice (with and without
 * SIMD): 140 KB of the bundle's source, which V8 keeps for the process's life, plus the decoded module undici
 * keeps once it has parsed a response. Real API servers speak HTTP/2 (undici offers it and they take it), so
 * the parser may never run. The bundle writes both modules as files beside itself instead, read when undici
 * first needs one and not kept.
 */
function llhttpFromFiles(outdir: string): Plugin {
  const fromUndici = createRequire(join(root, 'package.json'));
  return {
    name: 'llhttp-from-files',
    setup(b) {
      b.onLoad({ filter: /\/undici\/lib\/llhttp\/llhttp(_simd)?-wasm\.js$/ }, (args) => {
        const file = basename(args.path).replace(/-wasm\.js$/, '.wasm');
        const bytes = fromUndici(args.path) as Buffer;
        if (!Buffer.isBuffer(bytes) || bytes.subarray(0, 4).toString('latin1') !== '\0asm')
          throw new Error(`${args.path}: not the WebAssembly module the puller's bundle expects`);
        mkdirSync(outdir, { recursive: true });
        writeFileSync(join(outdir, file), bytes);
        return {
          contents: `const { readFileSync } = require('node:fs');
const { join } = require('node:path');
Object.defineProperty(module, 'exports', { get: () => readFileSync(join(__dirname, ${JSON.stringify(file)})) });`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * Escapes what esbuild leaves unescaped (a `µ` in a regular expression of cel-js): one character above
 * U+007F and Node hands V8 the whole source as a two-byte string, 4 MiB instead of 2 resident for the
 * process's life. `\uXXXX` means the same in the strings, templates and regular expressions it can be in.
 */
function asciiOnly(file: string): void {
  const text = readFileSync(file, 'utf8');
  if (!/[^\0-\x7f]/.test(text)) return;
  const escaped = text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(file, escaped);
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Node's built-in modules through require(), never `import`: an ES import of a built-in reads every export
 * of its namespace, and some exports are lazy getters (node:http's WebSocket and friends load Node's own copy
 * of undici, about 2 MiB resident) that the puller never uses. esbuild's CommonJS interop reads a property only
 * when the code does.
 */
const builtinsThroughRequire: Plugin = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      if (args.kind === 'require-call') return { path: args.path, external: true };
      return { path: args.path.replace(/^node:/, ''), namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

if (import.meta.main) {
  const bundle = await bundlePuller(process.argv[2]);
  console.log(
    `${bundle.file}: ${Math.round(bundle.bytes / 1024)} KB from ${bundle.packages.length} packages`,
  );
}
