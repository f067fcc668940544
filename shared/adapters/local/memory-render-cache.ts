// In-process RenderCache bounded by entry count (oldest evicted first); enough for one control plane process.
import type { RenderCache } from '../../ports/render-cache.ts';

export class MemoryRenderCache implements RenderCache {
  private readonly entries = new Map<string, string>();
  private readonly maxEntries: number;
  hits = 0;

  constructor(maxEntries = 5000) {
    this.maxEntries = maxEntries;
  }

  async get(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    if (value !== undefined) this.hits++;
    return value;
  }

  async put(key: string, rendered: string): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, rendered);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
