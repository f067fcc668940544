// Picks the sops store for a format and loads an encrypted file into the walker's tree plus its metadata.
import { loadDotenv } from './dotenv-store.ts';
import { loadIni } from './ini-store.ts';
import { loadBinary, loadJson } from './json-store.ts';
import type { LoadedSopsFile, SopsFormat } from './store.ts';
import { loadYaml } from './yaml-store.ts';

export function loadSopsStore(text: string, format: SopsFormat, file: string): LoadedSopsFile {
  switch (format) {
    case 'yaml':
      return loadYaml(text, file);
    case 'json':
      return loadJson(text, file);
    case 'binary':
      return loadBinary(text, file);
    case 'dotenv':
      return loadDotenv(text, file);
    case 'ini':
      return loadIni(text, file);
  }
}
