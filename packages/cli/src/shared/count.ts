/** `1 page`, `2 pages`, `0 rows`: a count with its noun, plural unless the count is 1. */
export const count = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`;
