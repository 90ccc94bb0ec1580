// The generated OpenAPI types, as the `callbot-contract/schema` entry (types only).
export type * from '../generated/schema.js';
