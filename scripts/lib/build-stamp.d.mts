/** Builds the three packages unless the stamp says dist/ is what the current sources build. Returns whether it built. */
export function buildIfStale(root: string): boolean;
