// Types of api-report.mjs, for the tests that import it.
export interface ApiChange {
  package: string;
  kind: 'breaking' | 'compatible';
  path: string;
  /** The export changed (what a changeset names to accept a breaking change). */
  exportName?: string;
  message: string;
}
export declare function buildApiReports(root: string): Promise<Map<string, string>>;
export declare function writeApiReports(root: string, dir?: string): Promise<Map<string, string>>;
export declare function recordApiReports(root: string): Promise<Map<string, string>>;
export declare function checkApiReports(options: {
  root: string;
  reportsDir?: string;
  releaseDir?: string;
}): Promise<{ changes: ApiChange[]; problems: string[] }>;
