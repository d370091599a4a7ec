export declare const WIDGET_GZIP_LIMIT: number;
export interface WidgetBuild {
  outfile: string;
  bytes: number;
  gzipBytes: number;
}
export declare function buildWidget(opts?: { outfile?: string; minify?: boolean }): Promise<WidgetBuild>;
export declare function describeSize(b: { bytes: number; gzipBytes: number }): string;
