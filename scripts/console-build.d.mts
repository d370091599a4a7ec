export function buildConsole(opts?: { outdir?: string; minify?: boolean }): Promise<{ outdir: string; sizes: Record<string, number> }>;
export function describeConsole(r: { sizes: Record<string, number> }): string;
