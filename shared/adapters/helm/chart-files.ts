// A chart's files on disk: copied out of a source snapshot the way Helm loads a chart directory
// (.helmignore applied, symlinks followed only inside the source root), or unpacked from a chart archive.
import { copyFile, lstat, mkdir, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from '../../core/archive/archive-limits.ts';
import { type ChartMetadata, parseChartMetadata } from '../../core/chart/chart-metadata.ts';
import { SluiceError } from '../../core/errors.ts';
import { formatBytes } from '../../core/git/snapshot-limits.ts';
import { isWithin } from '../../core/paths/secure-join.ts';
import { extractTarGz } from '../archive/tar-gz.ts';

/** Limits on one chart's files, whether copied from a source or unpacked from an archive. */
export const CHART_LIMITS: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 256 * 1024 * 1024 };

export async function readChartMetadata(chartDir: string, where: string): Promise<ChartMetadata> {
  let text: string;
  try {
    text = await readFile(join(chartDir, 'Chart.yaml'), 'utf8');
  } catch {
    throw new SluiceError('ArtifactNotFound', `${where} has no Chart.yaml; is it a chart directory?`, {
      file: where,
    });
  }
  return parseChartMetadata(text, `${where}/Chart.yaml`);
}

/**
 * Copies the chart directory `chartDir` (inside the source root `root`) to `dest`, as regular files only:
 * a symlink is replaced by what it points to, which must lie inside `root`.
 */
export async function copyChartDir(
  root: string,
  chartDir: string,
  dest: string,
  where: string,
): Promise<void> {
  const realRoot = await realpath(root);
  const start = await confined(realRoot, chartDir, where);
  const rules = await helmIgnore(start);
  let files = 0;
  let bytes = 0;
  const walk = async (from: string, to: string, rel: string, ancestors: Set<string>): Promise<void> => {
    await mkdir(to, { recursive: true });
    for (const name of (await readdir(from)).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      let path = join(from, name);
      let stats = await lstat(path);
      if (stats.isSymbolicLink()) {
        path = await confined(realRoot, path, `${where}/${relPath}`);
        stats = await stat(path);
      }
      if (stats.isDirectory()) {
        if (rules.ignores(`${relPath}/`)) continue;
        if (ancestors.has(path)) {
          throw new SluiceError('ValidationFailed', `${where}/${relPath} is a symlink loop`, {
            file: relPath,
          });
        }
        await walk(path, join(to, name), relPath, new Set([...ancestors, path]));
      } else if (stats.isFile()) {
        if (rules.ignores(relPath)) continue;
        files += 1;
        bytes += stats.size;
        if (files > CHART_LIMITS.maxFiles || bytes > CHART_LIMITS.maxTotalBytes) {
          throw new SluiceError(
            'LimitExceeded',
            `chart ${where} holds more than ${CHART_LIMITS.maxFiles} files or ${formatBytes(CHART_LIMITS.maxTotalBytes)} (at ${relPath}); add a .helmignore`,
            { file: relPath },
          );
        }
        await copyFile(path, join(to, name));
      }
    }
  };
  await walk(start, dest, '', new Set([start]));
}

/**
 * Unpacks a chart archive into `dest` and returns the chart's directory there: the archive's single
 * top-level directory, as `helm package` writes it.
 */
export async function unpackChartArchive(bytes: Buffer, dest: string, where: string): Promise<string> {
  await extractTarGz(bytes, dest, CHART_LIMITS);
  const top = await readdir(dest, { withFileTypes: true });
  const dirs = top.filter((e) => e.isDirectory());
  if (top.length !== 1 || dirs.length !== 1) {
    throw new SluiceError(
      'ArchiveRejected',
      `chart archive ${where} must hold exactly one top-level directory (it holds ${top.map((e) => e.name).join(', ') || 'nothing'})`,
      { file: where },
    );
  }
  return join(dest, (dirs[0] as { name: string }).name);
}

/** The real path of `path`, refused unless it lies inside `realRoot`. */
async function confined(realRoot: string, path: string, where: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw new SluiceError('PathNotFound', `${where} does not exist (or is a broken symlink) in the source`, {
      file: where,
    });
  }
  if (!isWithin(realRoot, real)) {
    throw new SluiceError(
      'PathEscapesRoot',
      `${where} leads outside the source through a symlink; charts may only link to files inside their source`,
      { file: where },
    );
  }
  return real;
}

/** .helmignore at the chart root, plus Helm's own default (dotfiles directly under templates/). */
async function helmIgnore(chartDir: string): Promise<Ignore> {
  const rules = ignore().add('templates/.?*');
  try {
    rules.add(await readFile(join(chartDir, '.helmignore'), 'utf8'));
  } catch {
    // no .helmignore: nothing else ignored
  }
  return rules;
}
