// Port: renders by render key. Identical inputs (same source, spec, variables, engine) render once.

export interface RenderCache {
  get(key: string): Promise<string | undefined>;
  put(key: string, rendered: string): Promise<void>;
}
